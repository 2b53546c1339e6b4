package org.curio.sync;

/**
 * A {@link Semaphore} whose value may never rise above its initial value: releasing a permit that was
 * never taken is a bug, reported at once with an {@link IllegalStateException} instead of silently
 * raising the limit.
 *
 * {@snippet :
 * var pool = new BoundedSemaphore(2);
 * pool.acquire();
 * pool.release();
 * pool.release();                          // IllegalStateException: released too often
 * }
 *
 * <p><b>Cancellation.</b> As {@link Semaphore}: {@code acquire} is a cancellation point when no permit
 * is free, and a cancelled waiter leaves without a permit.
 *
 * <p><b>Thread safety.</b> As {@link Semaphore}: only tasks of one kernel may use it.
 *
 * @see <a href="https://docs.python.org/3/library/threading.html#threading.BoundedSemaphore">Python's
 *      BoundedSemaphore</a>
 */
public final class BoundedSemaphore extends Semaphore {
    /** Creates a bounded semaphore with one permit. */
    public BoundedSemaphore() {
        this(1);
    }

    /**
     * Creates a bounded semaphore with {@code value} permits, which is also its bound.
     *
     * @param value the number of permits; zero or more
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public BoundedSemaphore(int value) {
        super(value, value);
    }
}
