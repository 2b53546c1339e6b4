package org.curio.sync;

/**
 * A lock or permit held by the calling task; closing it releases it, so a try-with-resources block
 * holds the lock exactly for its body.
 *
 * {@snippet :
 * try (var _ = lock.acquired()) {       // suspends until the lock is ours
 *     balance += amount;
 * }                                     // released here, also when the body throws or is cancelled
 * }
 *
 * <p>This is sound because a task that is cancelled or times out inside the block still holds the lock
 * when the exception leaves the body, and {@link #close()} never suspends, so it cannot itself be
 * cancelled. If {@code acquired()} is cancelled, nothing was acquired and there is nothing to close.
 *
 * <p><b>Cancellation.</b> {@link #close()} is not a cancellation point.
 *
 * <p><b>Thread safety.</b> Only the task that acquired the hold may close it; see the owning primitive.
 */
public final class Held implements AutoCloseable {
    private final Releasable target;

    Held(Releasable target) {
        this.target = target;
    }

    /**
     * Releases the hold, as the owning primitive's {@code release()} does. Never suspends.
     *
     * @throws IllegalStateException if the calling task does not hold it (for example, closed twice)
     */
    @Override
    public void close() {
        target.release();
    }

    @Override
    public String toString() {
        return "Held[" + target + "]";
    }
}
