/**
 * TLS over curio sockets, with the JDK's SSLEngine.
 */
module org.curio.ssl {
    requires transitive org.curio.io;          // sockets and streams appear in our signatures
    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only

}
