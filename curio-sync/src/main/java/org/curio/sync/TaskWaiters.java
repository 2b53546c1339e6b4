package org.curio.sync;

import org.curio.traps.CancelledException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.WaitQueue;

/**
 * The tasks parked on one task-only primitive: a {@link WaitQueue}, and the primitive's own message when
 * tasks of two kernels share it.
 */
final class TaskWaiters {
    /*
     * Implementation notes. The kernel removes a cancelled or timed-out task from the wait queue
     * before its CancelledException is thrown, and a task woken by SchedWake always resumes normally
     * (a racing cancel is delivered at its next blocking call). The primitives rely on both: a woken
     * task owns what it was handed, and a task that sees an exception was never handed anything, so
     * nothing needs undoing.
     *
     * The wait queue refuses, at the trap and before it changes anything, a task of a kernel other
     * than the one whose tasks are parked on it (an IllegalArgumentException naming the queue); this
     * class only renames that refusal after the primitive. The fast paths of the primitives do not
     * trap at all and are not checked.
     */

    private final WaitQueue queue;
    private final Trap.SchedWait wait;
    private final String primitive;                      // names the primitive in messages

    /**
     * Creates the waiters of one primitive.
     *
     * @param queue     a FIFO or a barrier
     * @param state     the task state shown while parked, such as {@code "LOCK_ACQUIRE"}
     * @param primitive the primitive's class name, for messages
     */
    TaskWaiters(WaitQueue queue, String state, String primitive) {
        this.queue = queue;
        this.wait = new Trap.SchedWait(queue, state);
        this.primitive = primitive;
    }

    /** Suspends the calling task until {@link #wake} releases it. */
    void park() throws CancelledException {
        try {
            Traps.call(wait);
        } catch (IllegalArgumentException foreign) {     // the queue's refusal: nothing was parked
            throw twoKernels(foreign);
        }
    }

    /** Wakes up to {@code n} parked tasks, oldest first, and returns how many it woke. */
    int wake(int n) {
        if (queue.isEmpty() || n <= 0) {
            return 0;
        }
        try {
            return Traps.call(new Trap.SchedWake(queue, n));
        } catch (IllegalArgumentException foreign) {     // the queue's refusal: nobody was woken
            throw twoKernels(foreign);
        }
    }

    /** Wakes the oldest parked task; returns whether there was one. */
    boolean wakeOne() {
        return wake(1) == 1;
    }

    /** Wakes every parked task. */
    void wakeAll() {
        wake(queue.size());
    }

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    private IllegalStateException twoKernels(IllegalArgumentException cause) {
        return new IllegalStateException("this " + primitive + " is used by tasks of two kernels; it belongs to the "
                + "tasks of one kernel (share a UniversalQueue, UniversalEvent or UniversalResult instead)", cause);
    }
}
