package org.curio.sync;

import java.util.Optional;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.WaitQueue;
import org.jspecify.annotations.Nullable;

/**
 * A reentrant lock for tasks: the task that holds it may acquire it again, and must release it as many
 * times as it acquired it.
 *
 * {@snippet :
 * try (var _ = rlock.acquired()) {
 *     try (var _ = rlock.acquired()) {   // the same task: no waiting
 *         update();
 *     }
 * }                                      // free again only here
 * }
 *
 * <p><b>Fairness.</b> As {@link Lock}: the final release hands the lock straight to the longest
 * waiter. Only the owner may release it; anyone else gets an {@link IllegalStateException}.
 *
 * <p><b>Cancellation.</b> {@code acquire} is a cancellation point when another task holds the lock. A
 * cancelled or timed-out waiter leaves the line without the lock, and the lock is as if it had never
 * waited. A waiter handed the lock keeps it even if it is cancelled before it runs. {@code release}
 * never suspends.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use an {@code RLock}: any other caller gets an
 * {@link IllegalStateException}. The accessors may be read from anywhere, but are exact only from the
 * owning kernel's tasks.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/sync.py">curio's RLock</a>
 */
public final class RLock implements Releasable {
    /*
     * Implementation notes. As Lock, plus a hold count. The final release with waiters keeps the lock
     * locked with no owner and wakes the oldest waiter, which takes ownership with a count of one.
     */
    private final TaskWaiters waiters = new TaskWaiters(WaitQueue.fifo(), "RLOCK_ACQUIRE", "RLock");
    private final Held held = new Held(this);
    private boolean locked;                              // owning kernel's tasks only
    private @Nullable Task<?> owner;                     // null while free or being handed over
    private int count;                                   // the owner's holds

    /** Creates an unlocked reentrant lock. */
    public RLock() {}

    /**
     * Suspends the calling task until it holds the lock; returns at once if it holds it already or the
     * lock is free and nobody waits.
     *
     * @throws CancelledException    if the task is cancelled or times out while waiting
     * @throws IllegalStateException if the caller is not a curio task
     */
    public void acquire() throws CancelledException {
        Task<?> me = Checks.currentTask("RLock.acquire");
        if (owner == me) {
            count++;
            return;
        }
        if (locked) {
            waiters.park();                              // handed over by release()
        }
        locked = true;
        owner = me;
        count = 1;
    }

    /**
     * Suspends the calling task until it holds the lock, and returns a hold whose {@code close()}
     * releases one hold, for try-with-resources.
     *
     * @return the hold
     * @throws CancelledException    if the task is cancelled or times out while waiting
     * @throws IllegalStateException if the caller is not a curio task
     */
    public Held acquired() throws CancelledException {
        acquire();
        return held;
    }

    /**
     * Takes the lock if it is free or held by the calling task. Never suspends.
     *
     * @return whether the calling task now holds the lock (once more)
     * @throws IllegalStateException if the caller is not a curio task
     */
    public boolean tryAcquire() {
        Task<?> me = Checks.currentTask("RLock.tryAcquire");
        if (owner == me) {
            count++;
            return true;
        }
        if (locked) {
            return false;
        }
        locked = true;
        owner = me;
        count = 1;
        return true;
    }

    /**
     * Releases one hold; the last one frees the lock, handing it to the longest waiter if there is one.
     * Never suspends.
     *
     * @throws IllegalStateException if the lock is not held, or is held by another task, or the caller
     *                               is not a curio task
     */
    @Override
    public void release() {
        Task<?> me = Checks.currentTask("RLock.release");
        if (!locked) {
            throw new IllegalStateException("RLock.release: the lock is not held");
        }
        if (owner != me) {
            throw new IllegalStateException("RLock.release: only the owner may release the lock; it is "
                    + (owner == null ? "being handed to a waiting task" : "held by " + owner)
                    + ", not by the calling task " + me);
        }
        if (--count == 0) {
            owner = null;
            if (!waiters.wakeOne()) {
                locked = false;
            }
        }
    }

    /** {@return whether some task holds the lock} Never suspends. */
    public boolean isLocked() {
        return locked;
    }

    /** {@return a snapshot of the lock's state} Never suspends. */
    public Statistics statistics() {
        Task<?> o = owner;
        return new Statistics(locked, Optional.ofNullable(o), count, waiters.size());
    }

    /**
     * A snapshot of a reentrant lock's state.
     *
     * @param locked  whether some task holds the lock (or is being handed it)
     * @param owner   the task that holds it; empty while free or being handed over
     * @param holds   how many times the owner holds it
     * @param waiting how many tasks wait for it
     */
    public record Statistics(boolean locked, Optional<Task<?>> owner, int holds, int waiting) {}

    @Override
    public String toString() {
        return "RLock[" + (locked ? "locked" : "unlocked") + ", holds=" + count + ", waiting=" + waiters.size() + "]";
    }
}
