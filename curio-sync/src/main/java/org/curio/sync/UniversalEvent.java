package org.curio.sync;

import java.util.concurrent.locks.ReentrantLock;

import org.curio.sync.Waits.Waiter;
import org.curio.sync.Waits.WaiterList;
import org.curio.traps.CancelledException;

/**
 * An event shared by curio tasks of any kernel and plain threads, with one API: the same
 * {@link #await()} suspends a task and blocks a thread, and {@link #set()} may be called from either.
 *
 * {@snippet :
 * var started = new UniversalEvent();
 * Thread.ofPlatform().start(() -> { warmUp(); started.set(); });   // a plain thread signals
 * started.await();                                                  // a task waits: suspends
 * }
 *
 * <p><b>Cancellation and interrupts.</b> {@code await} waits only while the event is not set. A
 * waiting task is suspended on a future, so the wait is a cancellation point; a waiting thread blocks,
 * and an interrupt ends its wait with {@link org.curio.traps.TaskCancelledException}, clearing the
 * interrupt status as an {@code InterruptedException} would. A wait ended so leaves the event as if
 * it had never waited.
 *
 * <p><b>Thread safety.</b> Universal: any task of any kernel and any thread may call any method at
 * the same time. Waiters woken by {@code set()} resume even if {@code clear()} follows at once.
 *
 * <p><b>Memory consistency.</b> Actions before {@code set()} happen-before actions after an
 * {@code await()} that returns because of it, or that finds the event set.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/sync.py">curio's UniversalEvent</a>
 */
public final class UniversalEvent {
    /*
     * Implementation notes. Curio's design: waiters are futures kept under a small lock, completed by
     * set() after the lock is released.
     */
    private final ReentrantLock mutex = new ReentrantLock();
    private final WaiterList waiters = new WaiterList(); // guarded by mutex
    private volatile boolean set;                        // written under mutex

    /** Creates an event that is not set. */
    public UniversalEvent() {}

    /** {@return whether the event is set} Never waits. */
    public boolean isSet() {
        return set;
    }

    /**
     * Waits until the event is set: suspends a calling task, blocks a calling thread; returns at once
     * if it is set.
     *
     * @throws CancelledException if the task is cancelled or times out, or the thread is interrupted,
     *                            while waiting
     */
    public void await() throws CancelledException {
        if (set) {
            return;
        }
        Waiter w;
        mutex.lock();
        try {
            if (set) {
                return;
            }
            w = new Waiter();
            waiters.add(w);
        } finally {
            mutex.unlock();
        }
        Waits.awaitOrLeave(w, "UniversalEvent.await", mutex, waiters);
    }

    /** Sets the event and wakes every waiter. Never waits. */
    public void set() {
        Waiter chain;
        mutex.lock();
        try {
            set = true;
            chain = waiters.grant(waiters.size(), null);
        } finally {
            mutex.unlock();
        }
        Waits.complete(chain);
    }

    /** Clears the event, so that later waiters wait for the next {@link #set()}. Never waits. */
    public void clear() {
        mutex.lock();
        try {
            set = false;
        } finally {
            mutex.unlock();
        }
    }

    /** {@return a consistent snapshot of the event's state} Never waits. */
    public Statistics statistics() {
        mutex.lock();
        try {
            return new Statistics(set, waiters.size());
        } finally {
            mutex.unlock();
        }
    }

    /**
     * A snapshot of a universal event's state.
     *
     * @param set     whether the event is set
     * @param waiting how many tasks and threads wait for it
     */
    public record Statistics(boolean set, int waiting) {}

    @Override
    public String toString() {
        Statistics s = statistics();
        return "UniversalEvent[" + (s.set() ? "set" : "unset") + ", waiting=" + s.waiting() + "]";
    }
}
