/**
 * Running blocking work in threads and worker processes, subprocesses and signals.
 */
module org.curio.workers {
    requires transitive org.curio.traps;
    requires org.curio.kernel;
    requires org.curio.sync;
    requires transitive org.curio.io;               // ByteStream: subprocess pipes in our signatures
    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only

    exports org.curio.workers;

}
