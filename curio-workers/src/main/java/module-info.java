/**
 * Running blocking work in threads and worker processes, subprocesses and signals.
 */
module org.curio.workers {
    requires transitive org.curio.traps;        // Task, CancelledException appear in our signatures
    requires transitive org.curio.kernel;       // Body, Kernel appear in our signatures
    requires org.curio.sync;
    requires transitive org.curio.io;           // ByteStream: subprocess pipes in our signatures
    requires java.management;                   // RuntimeMXBean: the JVM options a worker JVM inherits
    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only
    requires static jdk.jfr;                    // worker-call and subprocess events, when the runtime has jdk.jfr (checked once)

    exports org.curio.workers;
}
