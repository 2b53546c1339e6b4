/**
 * TLS over curio connections, with the JDK's {@link javax.net.ssl.SSLEngine}.
 *
 * <p>{@link org.curio.ssl.TlsConnection} layers TLS over any {@link org.curio.io.Connection} (a TCP or
 * Unix socket, an in-memory connection) and is itself one, so streams, servers and property tests
 * written against {@code Connection} work over TLS unchanged. {@link org.curio.ssl.TlsSettings} holds
 * what curio's {@code ssl=}, {@code server_hostname=} and {@code alpn_protocols=} arguments say, with
 * safe defaults: hostname verification on, a 10 s handshake timeout, ragged EOF an error.
 * {@link org.curio.ssl.Tls} has the network entry points: {@code openConnection} and {@code connector}
 * for clients, {@code listener}, {@code serve} and {@code tcpServer} for servers.
 *
 * <p>These live here rather than as overloads in {@link org.curio.io.Network}: curio-io cannot see this
 * module, and a server needs nothing from curio-io beyond its {@link org.curio.io.Listener} interface,
 * which {@link org.curio.ssl.TlsListener} implements, so {@code Network.serve} runs TLS servers as it is.
 */
@NullMarked
package org.curio.ssl;

import org.jspecify.annotations.NullMarked;
