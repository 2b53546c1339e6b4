package org.curio.sync;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * Each lock-like primitive against its model under random acquires, tries, timeouts, cancellations and
 * schedules (the seed also shuffles tasks ready at the same instant).
 */
class PrimitiveProperties {
    /** Lock: fair hand-off, mutual exclusion, nothing taken by a cancelled or timed-out acquire. */
    @Property(tries = 200)
    void lockMatchesModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
        new LockScenario(seed, LockScenario.Kind.LOCK).runAndCheck();
    }

    /** RLock: as Lock, with re-entry by the owner never waiting. */
    @Property(tries = 200)
    void rlockMatchesModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
        new LockScenario(seed, LockScenario.Kind.RLOCK).runAndCheck();
    }

    /** Semaphore: permits handed to the longest waiter and conserved. */
    @Property(tries = 200)
    void semaphoreMatchesModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
        new LockScenario(seed, LockScenario.Kind.SEMAPHORE).runAndCheck();
    }

    /** BoundedSemaphore: as Semaphore; correct use never trips the bound. */
    @Property(tries = 200)
    void boundedSemaphoreMatchesModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
        new LockScenario(seed, LockScenario.Kind.BOUNDED).runAndCheck();
    }
}
