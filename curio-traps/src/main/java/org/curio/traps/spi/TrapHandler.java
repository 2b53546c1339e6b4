package org.curio.traps.spi;

import org.curio.traps.CancelledException;
import org.curio.traps.Trap;
import org.jspecify.annotations.Nullable;

/**
 * Carries out the traps of one task; the kernel installs one per task when it creates the task's
 * coroutine. Both methods run on the task's own stack while the kernel is waiting for it, so they may
 * touch kernel state.
 */
public interface TrapHandler {
    /** {@return the trap handler of the task running on the calling thread, or null outside any task} */
    static @Nullable TrapHandler current() {
        return org.curio.traps.internal.Coroutines.currentHandler();
    }

    /**
     * Carries out a trap that may suspend the task.
     *
     * @param trap the request
     * @param <R>  the type of the answer
     * @return the answer
     * @throws CancelledException if the task is cancelled or times out
     */
    <R> R suspend(Trap.Suspending<R> trap) throws CancelledException;

    /**
     * Carries out a trap that is answered at once.
     *
     * @param trap the request
     * @param <R>  the type of the answer
     * @return the answer
     */
    <R> R immediate(Trap.Immediate<R> trap);
}
