package org.curio.ssl;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.Objects;

import org.curio.io.Connection;
import org.curio.io.Listener;
import org.curio.traps.CancelledException;

/**
 * A listener whose connections speak TLS: it accepts from another {@link Listener} (a listening
 * socket, an in-memory listener) and hands out server-side {@link TlsConnection}s.
 * {@link org.curio.io.Network#serve} runs a server on it as on any listener.
 *
 * <p>{@link #accept()} does not run the handshake: a slow or silent client must not hold up the accept
 * loop. Each connection's handshake runs in its own handler task on first use (or in
 * {@link TlsConnection#handshake()}) and fails after the settings' handshake timeout, 10 s by default.
 */
public final class TlsListener implements Listener<TlsConnection> {
    private final Listener<? extends Connection> inner;
    private final TlsSettings settings;

    /**
     * Wraps {@code inner}.
     *
     * @param inner    the listener that accepts the transports; owned by this one from now on
     * @param settings server settings
     * @throws IllegalArgumentException if the settings are a client's
     */
    public TlsListener(Listener<? extends Connection> inner, TlsSettings settings) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.settings = Objects.requireNonNull(settings, "settings");
        if (settings.isClient()) {
            throw new IllegalArgumentException("a TLS listener needs server settings (TlsSettings.server(...)), got "
                    + settings);
        }
    }

    /**
     * Suspends the calling task until a client connects, and returns the TLS end over the new
     * connection, its handshake still to come.
     *
     * @return the connection, owned by the caller
     * @throws IOException        if the listener is closed or accepting fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    @Override
    public TlsConnection accept() throws IOException, CancelledException {
        return TlsConnection.server(inner.accept(), settings);
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        return inner.localAddress();
    }

    @Override
    public void close() {
        inner.close();
    }

    /** {@return the settings connections get} */
    public TlsSettings settings() {
        return settings;
    }

    @Override
    public String toString() {
        return "TlsListener[" + inner + "]";
    }
}
