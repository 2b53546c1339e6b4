package org.curio.traps;

import org.curio.traps.internal.Coroutines;
import org.curio.traps.spi.TrapHandler;

/**
 * Issues traps from the calling task to its kernel.
 *
 * {@snippet :
 * long now = Traps.call(new Trap.Clock());                        // immediate: never switches
 * Traps.call(new Trap.Sleep(now + 1_000_000));                    // suspending: may be cancelled
 * }
 *
 * <p>A trap issued outside any task (from a plain thread, or after the task's kernel has gone) fails
 * with an {@link IllegalStateException} that says so.
 */
public final class Traps {
    private static final Trap.Budget BUDGET = new Trap.Budget();
    private static final Trap.Sleep YIELD = new Trap.Sleep(Long.MIN_VALUE);

    private Traps() {}

    /**
     * Suspends the calling task until the kernel has carried out {@code trap}, and answers its value.
     *
     * @param trap the request
     * @param <R>  the type of the answer
     * @return the kernel's answer
     * @throws CancelledException    if the task is cancelled or times out before or while waiting
     * @throws IllegalStateException if the caller is not a curio task
     */
    public static <R> R call(Trap.Suspending<R> trap) throws CancelledException {
        return handler(trap).suspend(trap);
    }

    /**
     * Carries out {@code trap} at once and answers its value. Never suspends.
     *
     * @param trap the request
     * @param <R>  the type of the answer
     * @return the kernel's answer
     * @throws IllegalStateException if the caller is not a curio task
     */
    public static <R> R call(Trap.Immediate<R> trap) {
        return handler(trap).immediate(trap);
    }

    /**
     * Draws one unit of the calling task's cooperative budget (see {@link Trap.Budget}); if it is spent,
     * suspends the calling task until every other ready task has had its turn, the kernel has polled
     * for I/O and expired its timers, then draws on the fresh budget and returns. Operations that may wait (socket
     * and stream reads and writes, queue puts and gets) call this once, before they do any work, so a
     * cancellation delivered at the forced yield never loses bytes or items.
     *
     * @throws CancelledException    if the task is cancelled or times out at the forced yield
     * @throws IllegalStateException if the caller is not a curio task
     */
    public static void consumeBudget() throws CancelledException {
        if (call(BUDGET)) {
            call(YIELD);
            call(BUDGET);                                   // the operation counts against the fresh budget
        }
    }

    /** {@return whether the calling code runs as a curio task} */
    public static boolean inTask() {
        return Coroutines.currentHandler() != null;
    }

    private static TrapHandler handler(Trap<?> trap) {
        TrapHandler handler = Coroutines.currentHandler();
        if (handler == null) {
            throw new IllegalStateException("trap " + trap.getClass().getSimpleName()
                    + " issued outside any curio task (thread " + Thread.currentThread().getName() + ")");
        }
        return handler;
    }
}
