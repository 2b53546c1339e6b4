/**
 * Synchronization primitives and queues for curio tasks, and universal ones shared with plain threads.
 */
module org.curio.sync {
    requires transitive org.curio.traps;       // Task, CancelledException appear in our signatures
    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only

}
