package org.curio.sync;

import java.util.Objects;
import java.util.function.BooleanSupplier;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.WaitQueue;

/**
 * A condition variable: tasks holding its {@link Lock} wait until another task signals that the state
 * they wait for may have changed.
 *
 * {@snippet :
 * try (var _ = cond.acquired()) {
 *     cond.awaitUntil(() -> !items.isEmpty());  // releases the lock while waiting
 *     process(items.removeFirst());
 * }
 * // elsewhere, holding the lock: items.add(x); cond.signal();
 * }
 *
 * <p>Curio names the operations {@code wait}, {@code wait_for}, {@code notify} and {@code notify_all};
 * Java reserves those names on {@code Object}, so they are {@link #await()}, {@link #awaitUntil},
 * {@link #signal()} and {@link #signalAll()} here, as in {@code java.util.concurrent.locks.Condition}.
 * Waiting and signalling require the calling task to hold the lock. Signalled tasks are woken in the
 * order they started waiting and then take their turn for the lock.
 *
 * <p><b>Cancellation.</b> {@code await} is always a cancellation point, and {@code acquire} is one when
 * the lock is held. A waiter that is cancelled or times out stops waiting for the signal, but still
 * takes the lock back before its {@link CancelledException} is thrown, so code after it (a
 * try-with-resources block, a {@code finally}) always holds the lock it expects; cancellations that
 * arrive while it takes the lock back are not lost (a direct cancellation wins over a timeout).
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a {@code Condition}: any other caller gets
 * an {@link IllegalStateException}.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/sync.py">curio's Condition</a>
 */
public final class Condition implements Releasable {
    /*
     * Implementation notes. Curio's design: await() releases the lock, parks on the condition's FIFO
     * and, however the park ends, acquires the lock again. That re-acquisition must not be abandoned,
     * and curio-sync cannot use the kernel's Cancellation class, so it loops: a cancellation caught
     * while taking the lock back is remembered and the task queues for the lock again (at the back of
     * the line); the remembered cancellation is thrown once the lock is held. The kernel delivers each
     * cancellation and each expired timeout once, so the loop ends.
     */
    private final Lock lock;
    private final TaskWaiters waiters = new TaskWaiters(WaitQueue.fifo(), "COND_WAIT", "Condition");
    private final Held held = new Held(this);

    /** Creates a condition with a lock of its own. */
    public Condition() {
        this(new Lock());
    }

    /**
     * Creates a condition over {@code lock}, which other code may use too.
     *
     * @param lock the lock
     */
    public Condition(Lock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    /** {@return the condition's lock} */
    public Lock lock() {
        return lock;
    }

    /**
     * Suspends the calling task until it holds the condition's lock. See {@link Lock#acquire()}.
     *
     * @throws CancelledException    if the task is cancelled or times out while waiting
     * @throws IllegalStateException if the calling task holds the lock already, or is not a curio task
     */
    public void acquire() throws CancelledException {
        lock.acquire();
    }

    /**
     * Suspends the calling task until it holds the condition's lock, and returns a hold whose
     * {@code close()} releases it.
     *
     * @return the hold
     * @throws CancelledException    if the task is cancelled or times out while waiting
     * @throws IllegalStateException if the calling task holds the lock already, or is not a curio task
     */
    public Held acquired() throws CancelledException {
        lock.acquire();
        return held;
    }

    /**
     * Releases the condition's lock. Never suspends.
     *
     * @throws IllegalStateException if the calling task does not hold it
     */
    @Override
    public void release() {
        lock.release();
    }

    /** {@return whether some task holds the condition's lock} Never suspends. */
    public boolean isLocked() {
        return lock.isLocked();
    }

    /**
     * Releases the lock, suspends the calling task until it is signalled, then takes the lock back.
     * Curio: {@code wait}.
     *
     * @throws CancelledException    if the task is cancelled or times out while waiting; the lock is
     *                               held again when it is thrown
     * @throws IllegalStateException if the calling task does not hold the lock
     */
    public void await() throws CancelledException {
        Task<?> me = Checks.currentTask("Condition.await");
        lock.requireHeldBy(me, "Condition.await");
        lock.release();
        CancelledException failure = null;
        try {
            waiters.park();
        } catch (CancelledException e) {
            failure = e;
        } finally {
            failure = lock.reacquire(failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Suspends the calling task, as {@link #await()} does, until {@code predicate} is true; returns at
     * once if it is true already. The predicate is evaluated with the lock held. Curio: {@code wait_for}.
     *
     * @param predicate the state to wait for
     * @throws CancelledException    if the task is cancelled or times out while waiting; the lock is
     *                               held again when it is thrown
     * @throws IllegalStateException if the calling task does not hold the lock
     */
    public void awaitUntil(BooleanSupplier predicate) throws CancelledException {
        Objects.requireNonNull(predicate, "predicate");
        Task<?> me = Checks.currentTask("Condition.awaitUntil");
        lock.requireHeldBy(me, "Condition.awaitUntil");
        while (!predicate.getAsBoolean()) {
            await();
        }
    }

    /**
     * Wakes the task that has waited longest, if any. Never suspends. Curio: {@code notify}.
     *
     * @throws IllegalStateException if the calling task does not hold the lock
     */
    public void signal() {
        signal(1);
    }

    /**
     * Wakes up to {@code n} waiting tasks, longest waiting first. Never suspends. Curio:
     * {@code notify(n)}.
     *
     * @param n the most tasks to wake; positive
     * @throws IllegalArgumentException if {@code n} is not positive
     * @throws IllegalStateException    if the calling task does not hold the lock
     */
    public void signal(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("number of tasks to signal must be positive: " + n);
        }
        Task<?> me = Checks.currentTask("Condition.signal");
        lock.requireHeldBy(me, "Condition.signal");
        waiters.wake(n);
    }

    /**
     * Wakes every waiting task. Never suspends. Curio: {@code notify_all}.
     *
     * @throws IllegalStateException if the calling task does not hold the lock
     */
    public void signalAll() {
        Task<?> me = Checks.currentTask("Condition.signalAll");
        lock.requireHeldBy(me, "Condition.signalAll");
        waiters.wakeAll();
    }

    /** {@return a snapshot of the condition's state} Never suspends. */
    public Statistics statistics() {
        return new Statistics(lock.isLocked(), waiters.size());
    }

    /**
     * A snapshot of a condition's state.
     *
     * @param locked  whether some task holds the lock
     * @param waiting how many tasks wait for a signal
     */
    public record Statistics(boolean locked, int waiting) {}

    @Override
    public String toString() {
        return "Condition[" + (lock.isLocked() ? "locked" : "unlocked") + ", waiting=" + waiters.size() + "]";
    }
}
