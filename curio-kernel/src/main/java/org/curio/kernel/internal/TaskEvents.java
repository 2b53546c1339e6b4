package org.curio.kernel.internal;

import org.jspecify.annotations.Nullable;

/**
 * What a kernel tells a flight recording about its tasks. Installed on a {@link KernelLoop} only while
 * a JFR recording runs (see {@link FlightRecording}), so a kernel with no recording pays one null check
 * per call site. Every method runs on the kernel and must not block, suspend or throw.
 */
public interface TaskEvents {
    /** A task was created. */
    void spawned(KernelTask<?> task);

    /** {@return a token handed to {@link #ran}} {@code task} is about to run. */
    @Nullable Object running(KernelTask<?> task);

    /** {@code task} has stopped running (suspended or finished); {@code token} came from {@link #running}. */
    void ran(KernelTask<?> task, @Nullable Object token);

    /** {@code task} terminated with {@code failure} (null: it returned). */
    void terminated(KernelTask<?> task, @Nullable Throwable failure);

    /** {@code task} crashed: it failed with something other than a cancellation. */
    void crashed(KernelTask<?> task, Throwable failure);

    /**
     * {@code task} is cancelled with {@code exception} by {@code by} (null: from outside the kernel's
     * tasks, such as another thread or a timer); {@code blocked} if it is delivered at once.
     */
    void cancelled(KernelTask<?> task, Exception exception, @Nullable KernelTask<?> by, boolean blocked);

    /**
     * A timeout block of {@code task} saw a timeout: its own deadline ({@code own}) or an enclosing
     * block's.
     *
     * @param task           the task
     * @param own            whether the block's own deadline expired
     * @param api            the call that opened the block, such as {@code "Timeouts.after"}
     * @param timeoutNanos   the block's timeout
     * @param deadlineNanos  the block's deadline on the kernel clock
     */
    void timedOut(KernelTask<?> task, boolean own, String api, long timeoutNanos, long deadlineNanos);
}
