package org.curio.workers.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

import org.curio.traps.CancelledException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;

/**
 * A counting limit that tasks wait for through {@link Trap.FutureWait} and any thread releases: the
 * pool's permits, returned by a worker thread or process only when it has really finished.
 */
public final class Permits {
    /*
     * Implementation notes. Waiters are served first come, first served: a released permit passes
     * straight to the oldest waiter's future, so inUse does not drop and a newcomer cannot overtake.
     * Futures are completed outside the lock, because completing one runs the kernel's wake-up.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<CompletableFuture<Void>> waiters = new ArrayDeque<>(); // guarded by lock
    private int limit;                                   // guarded by lock
    private int inUse;                                   // guarded by lock

    /**
     * Creates permits.
     *
     * @param limit how many may be held at once; positive
     */
    public Permits(int limit) {
        this.limit = checkLimit(limit);
    }

    private static int checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("worker limit must be positive: " + limit);
        }
        return limit;
    }

    /**
     * Suspends the calling task until it holds a permit.
     *
     * @throws CancelledException if the task is cancelled while waiting; it then holds no permit
     */
    public void acquire() throws CancelledException {
        CompletableFuture<Void> grant;
        lock.lock();
        try {
            if (inUse < limit && waiters.isEmpty()) {
                inUse++;
                return;
            }
            grant = new CompletableFuture<>();
            waiters.addLast(grant);
        } finally {
            lock.unlock();
        }
        try {
            Traps.call(new Trap.FutureWait(grant));
        } catch (CancelledException e) {
            boolean granted;
            lock.lock();
            try {
                granted = !waiters.remove(grant);
            } finally {
                lock.unlock();
            }
            if (granted) {
                release();                               // it came just as we were cancelled: pass it on
            }
            throw e;
        }
    }

    /** Returns a permit, from any thread; the oldest waiter, if any, gets it. */
    public void release() {
        CompletableFuture<Void> next;
        lock.lock();
        try {
            next = inUse > limit ? null : waiters.pollFirst();
            if (next == null) {
                inUse--;
            }
        } finally {
            lock.unlock();
        }
        if (next != null) {
            next.complete(null);
        }
    }

    /**
     * Changes the limit; waiters that now fit get their permits.
     *
     * @param newLimit the new limit; positive
     */
    public void limit(int newLimit) {
        checkLimit(newLimit);
        ArrayDeque<CompletableFuture<Void>> granted = new ArrayDeque<>();
        lock.lock();
        try {
            limit = newLimit;
            while (inUse < limit && !waiters.isEmpty()) {
                inUse++;
                granted.add(waiters.pollFirst());
            }
        } finally {
            lock.unlock();
        }
        granted.forEach(f -> f.complete(null));
    }

    /** {@return the limit} */
    public int limit() {
        lock.lock();
        try {
            return limit;
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many permits are held} */
    public int inUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many tasks wait for a permit} */
    public int waiting() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }
}
