package org.curio.kernel.internal.monitor;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a console listens and how it treats clients.
 *
 * @param address     the address to listen on: an {@code InetSocketAddress} (port 0 picks a free port)
 *                    or a {@code UnixDomainSocketAddress}; checked by the caller (no wildcard unless
 *                    allowed)
 * @param idleTimeout how long a client may stay silent before it is disconnected
 * @param maxClients  how many clients may be connected at once; more are turned away
 * @param required    whether failing to listen is an error (otherwise a warning, and no console)
 */
public record ConsoleSettings(SocketAddress address, Duration idleTimeout, int maxClients, boolean required) {
    /** Checks the values. */
    public ConsoleSettings {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxClients < 1) {
            throw new IllegalArgumentException("maxClients must be positive: " + maxClients);
        }
    }
}
