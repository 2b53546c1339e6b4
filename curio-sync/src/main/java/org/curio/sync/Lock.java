package org.curio.sync;

import java.util.Optional;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.WaitQueue;
import org.jspecify.annotations.Nullable;

/**
 * A mutual-exclusion lock for tasks: at most one task holds it, and the others wait in line.
 *
 * {@snippet :
 * try (var _ = lock.acquired()) {        // or: lock.acquire(); try { ... } finally { lock.release(); }
 *     account.withdraw(amount);
 * }
 * }
 *
 * <p><b>Fairness.</b> Waiters get the lock in the order they asked for it. {@link #release()} hands
 * the lock straight to the longest waiter, so a task that asks later cannot barge in, even before the
 * new owner has run. The lock is not reentrant: a task that asks for a lock it holds gets an
 * {@link IllegalStateException} rather than waiting forever (use {@link RLock} for reentrancy). Only the
 * holder may release it.
 *
 * <p><b>Cancellation.</b> {@code acquire} is a cancellation point when the lock is held. A cancelled
 * or timed-out waiter leaves the line without the lock, and the lock is as if it had never waited. A
 * waiter that was handed the lock and is cancelled before it runs keeps the lock (it must release it,
 * so use {@link #acquired()} or {@code finally}); the cancellation arrives at its next blocking call.
 * {@code release} never suspends.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a {@code Lock}: any other caller gets an
 * {@link IllegalStateException}. {@link #isLocked()}, {@link #statistics()} and {@link #toString()}
 * may be read from anywhere, but are exact only from the owning kernel's tasks.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/sync.py">curio's Lock</a>
 */
public final class Lock implements Releasable {
    /*
     * Implementation notes. Curio's design with an owner: release() with waiters leaves the lock
     * locked and wakes the oldest waiter, which becomes the owner when it resumes (a woken task always
     * resumes normally, so the hand-off cannot be lost). Between the two, owner is null while locked
     * is true, so nobody, not even the releaser, can release or take it.
     */
    private final TaskWaiters waiters = new TaskWaiters(WaitQueue.fifo(), "LOCK_ACQUIRE", "Lock");
    private final Held held = new Held(this);
    private boolean locked;                              // owning kernel's tasks only
    private @Nullable Task<?> owner;                     // null while free or being handed over

    /** Creates an unlocked lock. */
    public Lock() {}

    /**
     * Suspends the calling task until it holds the lock; takes it at once if it is free and nobody
     * waits.
     *
     * @throws CancelledException    if the task is cancelled or times out while waiting
     * @throws IllegalStateException if the calling task holds the lock already, or is not a curio task
     */
    public void acquire() throws CancelledException {
        Task<?> me = Checks.currentTask("Lock.acquire");
        if (!locked) {
            locked = true;
            owner = me;
            return;
        }
        if (owner == me) {
            throw new IllegalStateException("Lock.acquire: " + me + " holds this lock already and it is not "
                    + "reentrant (use RLock)");
        }
        waiters.park();
        owner = me;                                      // handed over by release()
    }

    /**
     * Suspends the calling task until it holds the lock, and returns a hold whose {@code close()}
     * releases it, for try-with-resources.
     *
     * @return the hold
     * @throws CancelledException    if the task is cancelled or times out while waiting
     * @throws IllegalStateException if the calling task holds the lock already, or is not a curio task
     */
    public Held acquired() throws CancelledException {
        acquire();
        return held;
    }

    /**
     * Takes the lock if it is free. Never suspends.
     *
     * @return whether the calling task now holds the lock
     * @throws IllegalStateException if the caller is not a curio task
     */
    public boolean tryAcquire() {
        Task<?> me = Checks.currentTask("Lock.tryAcquire");
        if (locked) {
            return false;
        }
        locked = true;
        owner = me;
        return true;
    }

    /**
     * Releases the lock, handing it to the longest waiter if there is one. Never suspends.
     *
     * @throws IllegalStateException if the calling task does not hold the lock, or is not a curio task
     */
    @Override
    public void release() {
        Task<?> me = Checks.currentTask("Lock.release");
        requireHeldBy(me, "Lock.release");
        owner = null;
        if (!waiters.wakeOne()) {
            locked = false;
        }
    }

    /** {@return whether some task holds the lock} Never suspends. */
    public boolean isLocked() {
        return locked;
    }

    /** {@return a snapshot of the lock's state} Never suspends. */
    public Statistics statistics() {
        Task<?> o = owner;
        return new Statistics(locked, Optional.ofNullable(o), waiters.size());
    }

    /**
     * A snapshot of a lock's state.
     *
     * @param locked  whether some task holds the lock (or is being handed it)
     * @param owner   the task that holds it; empty while free or being handed over
     * @param waiting how many tasks wait for it
     */
    public record Statistics(boolean locked, Optional<Task<?>> owner, int waiting) {}

    @Override
    public String toString() {
        return "Lock[" + (locked ? "locked" : "unlocked") + ", waiting=" + waiters.size() + "]";
    }

    // ---- for Condition

    void requireHeldBy(Task<?> me, String what) {
        if (owner != me) {
            String state = !locked ? "not held" : owner == null ? "being handed to a waiting task" : "held by " + owner;
            throw new IllegalStateException(what + ": the lock is " + state + ", not by the calling task " + me);
        }
    }

    /**
     * Suspends the calling task until it holds the lock again, whatever cancellations arrive meanwhile;
     * returns the cancellation to throw afterwards ({@code pending} merged with any that arrived).
     */
    @Nullable CancelledException reacquire(@Nullable CancelledException pending) {
        CancelledException failure = pending;
        while (true) {
            try {
                acquire();
                return failure;
            } catch (CancelledException e) {
                failure = merge(failure, e);             // waits again, at the back of the line
            }
        }
    }

    /**
     * Chooses which of two cancellations to throw: a direct cancellation is never dropped; otherwise the
     * later one wins (of two timeouts, the later expiry belongs to the outer block). The other is kept
     * as suppressed.
     */
    static CancelledException merge(@Nullable CancelledException first, CancelledException later) {
        if (first == null || first == later) {
            return later;
        }
        if (first instanceof TaskCancelledException) {
            first.addSuppressed(later);
            return first;
        }
        later.addSuppressed(first);
        return later;
    }
}
