package org.curio.workers;

/**
 * What {@link Workers#runInThread(CancelPolicy, org.curio.kernel.Body)} does when the waiting task is
 * cancelled (or times out) while the thread still runs the call. In every case the pool's permit is
 * returned only when the thread has really finished, so abandoned calls still count against the limit.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/workers.py">curio's run_in_thread</a>
 */
public enum CancelPolicy {
    /**
     * Curio's: the task is cancelled at once and the thread is left to finish the call on its own; its
     * late outcome is discarded, or handed to the hook of
     * {@link Workers#runInThread(org.curio.kernel.Body, java.util.function.Consumer)}. A kernel call the
     * thread makes afterwards ({@link AsyncThread#await}) throws a cancel.
     */
    ABANDON,
    /**
     * Trio's default: the task waits until the thread has finished, then throws the cancel; the result
     * is discarded. The thread's next kernel call ({@link AsyncThread#await}) throws the cancel, so a
     * call written to check in with the kernel can stop early.
     */
    WAIT,
    /**
     * Kotlin's {@code runInterruptible}: as {@link #WAIT}, but the thread is also interrupted, so a
     * call blocked in an interruptible method ends with {@link InterruptedException}. The interrupt
     * status is cleared before the thread runs another job.
     */
    INTERRUPT
}
