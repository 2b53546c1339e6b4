/**
 * TLS over curio connections, with the JDK's SSLEngine: {@link org.curio.ssl.TlsConnection} over any
 * {@link org.curio.io.Connection}, {@link org.curio.ssl.TlsSettings}, and the network entry points of
 * {@link org.curio.ssl.Tls}.
 */
module org.curio.ssl {
    requires transitive org.curio.io;          // connections and streams appear in our signatures
    requires org.curio.sync;                   // locks and events order the engine's ciphertext

    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only
    requires static jdk.jfr;                   // the TLS handshake event, when the runtime has jdk.jfr (checked once)

    exports org.curio.ssl;
}
