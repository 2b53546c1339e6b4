/**
 * Synchronization primitives and queues for curio tasks, and universal ones shared with plain threads
 * and other kernels: {@link org.curio.sync.Event}, {@link org.curio.sync.Lock},
 * {@link org.curio.sync.RLock}, {@link org.curio.sync.Semaphore}, {@link org.curio.sync.Condition},
 * {@link org.curio.sync.Result}, {@link org.curio.sync.Queue} and its kin, and
 * {@link org.curio.sync.UniversalQueue}, {@link org.curio.sync.UniversalEvent},
 * {@link org.curio.sync.UniversalResult}.
 *
 * <p>Built on traps alone (scheduler wait and wake, future wait): this module does not need the
 * kernel, as Tokio's {@code sync} is runtime-free.
 */
module org.curio.sync {
    requires transitive org.curio.traps;       // Task, CancelledException appear in our signatures
    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only

    exports org.curio.sync;
}
