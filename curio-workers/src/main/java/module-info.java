/**
 * Running blocking work in threads and worker processes, subprocesses and signals.
 */
module org.curio.workers {
    requires transitive org.curio.traps;
    requires org.curio.kernel;
    requires org.curio.sync;
    requires org.curio.io;
    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only

}
