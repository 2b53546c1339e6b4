package org.curio.sync;

/** What a {@link Held} releases: a lock, a permit, a condition's lock. */
sealed interface Releasable permits Lock, RLock, Semaphore, Condition {
    /** Releases one hold. Never suspends. */
    void release();
}
