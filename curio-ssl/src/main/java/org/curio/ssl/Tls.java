package org.curio.ssl;

import java.io.IOException;
import java.util.Objects;

import org.curio.io.Connection;
import org.curio.io.Connector;
import org.curio.io.Listener;
import org.curio.io.Network;
import org.curio.traps.CancelledException;

/**
 * TLS versions of {@link Network}'s entry points: curio's {@code open_connection(ssl=...)} and
 * {@code tcp_server(ssl=...)}.
 *
 * {@snippet :
 * // a server: one line more than a plain one
 * Tls.tcpServer("127.0.0.1", 8443, TlsSettings.server(keyStore, password), (client, address) -> {
 *     ByteStream stream = client.asStream();
 *     stream.forEachLine(stream::write);
 * });
 * // a client: verifies that the certificate names "localhost"
 * try (TlsConnection tls = Tls.openConnection("localhost", 8443, TlsSettings.client(trustStore))) { ... }
 * }
 */
public final class Tls {
    private Tls() {}

    /**
     * Suspends the calling task until a TCP connection to {@code host} is open and its TLS handshake
     * done, and returns it. The client sends {@code host} as SNI and verifies it against the server's
     * certificate unless the settings name another server or turn verification off. The handshake is
     * bounded by the settings' handshake timeout (10 s by default).
     *
     * @param host     the host name or address
     * @param port     the port
     * @param settings client settings
     * @return the connection, owned by the caller
     * @throws javax.net.ssl.SSLHandshakeException if the handshake fails or times out
     * @throws IOException                         if connecting fails
     * @throws CancelledException                  if the task is cancelled or times out while waiting
     */
    public static TlsConnection openConnection(String host, int port, TlsSettings settings)
            throws IOException, CancelledException {
        Objects.requireNonNull(host, "host");
        return connect(() -> Network.openConnection(host, port), forHost(settings, host));
    }

    /**
     * {@return a connector that opens TLS connections to {@code host}} like
     * {@link #openConnection(String, int, TlsSettings)}
     *
     * @param host     the host name or address
     * @param port     the port
     * @param settings client settings
     */
    public static Connector<TlsConnection> connector(String host, int port, TlsSettings settings) {
        Objects.requireNonNull(host, "host");
        TlsSettings s = forHost(settings, host);
        return () -> connect(() -> Network.openConnection(host, port), s);
    }

    /**
     * {@return a connector that opens a transport with {@code transport} and runs TLS over it} For
     * example over a {@code MemoryNetwork}'s connector, to test a TLS protocol without a network.
     *
     * @param transport opens the underlying connection
     * @param settings  client settings, naming the server unless verification is off
     */
    public static Connector<TlsConnection> connector(Connector<? extends Connection> transport, TlsSettings settings) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(settings, "settings");
        return () -> connect(transport, settings);
    }

    private static TlsSettings forHost(TlsSettings settings, String host) {
        Objects.requireNonNull(settings, "settings");
        return settings.serverName().isPresent() || !settings.isClient() ? settings : settings.withServerName(host);
    }

    private static TlsConnection connect(Connector<? extends Connection> transport, TlsSettings settings)
            throws IOException, CancelledException {
        if (!settings.isClient()) {
            throw new IllegalArgumentException("a TLS connector needs client settings (TlsSettings.client()), got "
                    + settings);
        }
        Connection raw = transport.connect();
        TlsConnection tls;
        try {
            tls = TlsConnection.client(raw, settings);
        } catch (RuntimeException e) {
            raw.close();
            throw e;
        }
        boolean ok = false;
        try {
            tls.handshake();
            ok = true;
            return tls;
        } finally {
            if (!ok) {
                tls.close();
            }
        }
    }

    /**
     * {@return a listener that hands out TLS connections accepted from {@code listener}}
     *
     * @param listener the listener of the transports, owned by the result from now on
     * @param settings server settings
     */
    public static TlsListener listener(Listener<? extends Connection> listener, TlsSettings settings) {
        return new TlsListener(listener, settings);
    }

    /**
     * Runs a TLS server on {@code listener} until cancelled: {@link Network#serve} over a
     * {@link TlsListener}. Each client's handshake runs in its handler's task, bounded by the handshake
     * timeout; a client that fails it ends its handler with the {@link javax.net.ssl.SSLHandshakeException}.
     *
     * @param listener the listener of the transports, owned by the server from now on
     * @param settings server settings
     * @param handler  serves one client
     * @throws IOException        if accepting fails for good
     * @throws CancelledException when the server is cancelled
     */
    public static void serve(Listener<? extends Connection> listener, TlsSettings settings,
            Network.ClientHandler<? super TlsConnection> handler) throws IOException, CancelledException {
        Network.serve(new TlsListener(listener, settings), handler);
    }

    /**
     * Runs a TLS server on a TCP address until cancelled: curio's {@code tcp_server(host, port, client,
     * ssl=...)}.
     *
     * @param host     the address to listen on
     * @param port     the port; 0 picks one
     * @param settings server settings
     * @param handler  serves one client
     * @throws IOException        if listening fails or accepting fails for good
     * @throws CancelledException when the server is cancelled
     */
    public static void tcpServer(String host, int port, TlsSettings settings,
            Network.ClientHandler<? super TlsConnection> handler) throws IOException, CancelledException {
        serve(Network.tcpServerSocket(host, port), settings, handler);
    }
}
