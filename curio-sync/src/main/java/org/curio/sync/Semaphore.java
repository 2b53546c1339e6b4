package org.curio.sync;

import org.curio.traps.CancelledException;
import org.curio.traps.WaitQueue;

/**
 * A counting semaphore for tasks: {@link #acquire()} takes one of a number of permits, waiting while
 * none is left, and {@link #release()} gives one back.
 *
 * {@snippet :
 * var slots = new Semaphore(3);              // at most three downloads at a time
 * try (var _ = slots.acquired()) {
 *     download(url);
 * }
 * }
 *
 * <p><b>Fairness.</b> Waiters get permits in the order they asked. {@code release()} hands its permit
 * straight to the longest waiter (the {@linkplain #value() value} stays zero), so a task that asks
 * later cannot barge in. Permits are not owned: any task may release. A {@link BoundedSemaphore}
 * refuses a release that would raise the value above its initial value.
 *
 * <p><b>Cancellation.</b> {@code acquire} is a cancellation point when no permit is free. A cancelled
 * or timed-out waiter leaves the line without a permit, and the count is as if it had never waited. A
 * waiter handed a permit keeps it even if it is cancelled before it runs. {@code release} never
 * suspends.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a {@code Semaphore}: any other caller gets
 * an {@link IllegalStateException}. The accessors may be read from anywhere, but are exact only from
 * the owning kernel's tasks.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/sync.py">curio's Semaphore</a>
 */
public sealed class Semaphore implements Releasable permits BoundedSemaphore {
    /*
     * Implementation notes. Curio's design: value > 0 only while nobody waits; release() with waiters
     * wakes the oldest and leaves the value alone (the permit travels with the wake-up, which a woken
     * task always receives).
     */
    private final TaskWaiters waiters = new TaskWaiters(WaitQueue.fifo(), "SEMA_ACQUIRE", "Semaphore");
    private final Held held = new Held(this);
    private final int bound;                             // the highest value, or -1 for none
    private int value;                                   // owning kernel's tasks only

    /** Creates a semaphore with one permit. */
    public Semaphore() {
        this(1);
    }

    /**
     * Creates a semaphore with {@code value} permits.
     *
     * @param value the number of permits; zero or more
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public Semaphore(int value) {
        this(value, -1);
    }

    Semaphore(int value, int bound) {
        if (value < 0) {
            throw new IllegalArgumentException("semaphore value must not be negative: " + value);
        }
        this.value = value;
        this.bound = bound;
    }

    /**
     * Suspends the calling task until it has a permit; takes one at once if any is free.
     *
     * @throws CancelledException    if the task is cancelled or times out while waiting
     * @throws IllegalStateException if the caller is not a curio task
     */
    public final void acquire() throws CancelledException {
        Checks.inTask(name() + ".acquire");
        if (value > 0) {
            value--;
        } else {
            waiters.park();                              // handed a permit by release()
        }
    }

    /**
     * Suspends the calling task until it has a permit, and returns a hold whose {@code close()}
     * releases it, for try-with-resources.
     *
     * @return the hold
     * @throws CancelledException    if the task is cancelled or times out while waiting
     * @throws IllegalStateException if the caller is not a curio task
     */
    public final Held acquired() throws CancelledException {
        acquire();
        return held;
    }

    /**
     * Takes a permit if one is free. Never suspends.
     *
     * @return whether the calling task got a permit
     * @throws IllegalStateException if the caller is not a curio task
     */
    public final boolean tryAcquire() {
        Checks.inTask(name() + ".tryAcquire");
        if (value > 0) {
            value--;
            return true;
        }
        return false;
    }

    /**
     * Gives a permit back, handing it to the longest waiter if there is one. Never suspends.
     *
     * @throws IllegalStateException if this is a {@link BoundedSemaphore} whose value is at its bound, or
     *                               the caller is not a curio task
     */
    @Override
    public final void release() {
        Checks.inTask(name() + ".release");
        if (bound >= 0 && value >= bound) {
            throw new IllegalStateException(name() + ".release: released too often; the value is already at "
                    + "its bound " + bound);
        }
        if (!waiters.wakeOne()) {
            value++;
        }
    }

    /** {@return the number of free permits} Never suspends. */
    public final int value() {
        return value;
    }

    /** {@return whether no permit is free} Never suspends. */
    public final boolean isLocked() {
        return value == 0;
    }

    /** {@return a snapshot of the semaphore's state} Never suspends. */
    public final Statistics statistics() {
        return new Statistics(value, waiters.size());
    }

    /**
     * A snapshot of a semaphore's state.
     *
     * @param value   the number of free permits
     * @param waiting how many tasks wait for one
     */
    public record Statistics(int value, int waiting) {}

    @Override
    public final String toString() {
        return name() + "[value=" + value + (bound >= 0 ? ", bound=" + bound : "") + ", waiting=" + waiters.size()
                + "]";
    }

    private String name() {
        return bound >= 0 ? "BoundedSemaphore" : "Semaphore";
    }
}
