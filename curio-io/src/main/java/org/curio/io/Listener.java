package org.curio.io;

import java.io.IOException;
import java.net.SocketAddress;

import org.curio.traps.CancelledException;

/**
 * Accepts connections: a listening {@link Socket}, or a {@code MemoryNetwork}'s listener (curio-io-testing).
 * {@link Network#serve} runs a server on any listener.
 *
 * @param <C> the kind of connection accepted
 */
public interface Listener<C extends Connection> extends AutoCloseable {
    /**
     * Suspends the calling task until a client connects, and returns the new connection.
     *
     * @return the connection, owned by the caller
     * @throws IOException        if the listener is closed or accepting fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    C accept() throws IOException, CancelledException;

    /**
     * {@return the address clients connect to}
     *
     * @throws IOException if the listener is closed
     */
    SocketAddress localAddress() throws IOException;

    /**
     * Stops listening. A task waiting in {@link #accept()} wakes and fails with an
     * {@link IOException}. Never suspends; does nothing if closed already.
     */
    @Override
    void close();
}
