package org.curio.io;

import java.io.IOException;

import org.curio.traps.CancelledException;

/**
 * Opens a connection to one place: client code takes a connector rather than a host and port, so the
 * same code runs over TCP and over curio-io-testing's {@code MemoryNetwork}.
 *
 * {@snippet :
 * Connector<Socket> tcp = () -> Network.openConnection("127.0.0.1", port);
 * Connector<? extends Connection> memory = network.connector("kv");
 * }
 *
 * @param <C> the kind of connection opened
 */
@FunctionalInterface
public interface Connector<C extends Connection> {
    /**
     * Suspends the calling task until a connection is established, and returns it.
     *
     * @return the connection, owned by the caller
     * @throws IOException        if connecting fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    C connect() throws IOException, CancelledException;
}
