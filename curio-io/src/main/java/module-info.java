/**
 * Sockets, streams, files and network helpers for curio tasks.
 */
module org.curio.io {
    requires transitive org.curio.traps;       // CancelledException appears in our signatures
    requires org.curio.kernel;                 // task groups and timeouts
    requires org.curio.sync;
    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only

}
