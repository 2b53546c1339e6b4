package org.curio.io;

import org.curio.traps.CancelledException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.WaitQueue;

/** A one-shot event for tests (curio's {@code Event}), built directly on wait-queue traps. */
final class Gate {
    private final WaitQueue waiters = WaitQueue.barrier();
    private boolean set;

    /** Opens the gate, waking every waiter. Never suspends. */
    void set() {
        set = true;
        if (!waiters.isEmpty()) {
            Traps.call(new Trap.SchedWake(waiters, waiters.size()));
        }
    }

    /** Suspends the calling task until the gate is open. */
    void await() throws CancelledException {
        if (!set) {
            Traps.call(new Trap.SchedWait(waiters, "GATE_WAIT"));
        }
    }
}
