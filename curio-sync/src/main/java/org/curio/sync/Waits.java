package org.curio.sync;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

import org.curio.traps.CancelledException;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/**
 * How the universal types wait: a curio task (of any kernel) suspends on a {@link Trap.FutureWait}; a
 * plain thread blocks in {@link CompletableFuture#get()}. Both wait for a {@link Waiter} completed by
 * whoever grants it.
 */
final class Waits {
    private Waits() {}

    /**
     * A waiting getter, putter or joiner: a future completed when it is granted, linked into a
     * {@link WaiterList}. Fields other than the future's state are guarded by the owner's mutex.
     */
    static final class Waiter extends CompletableFuture<Void> {
        @Nullable Waiter prev;
        @Nullable Waiter next;
        boolean linked;
        boolean granted;                                 // taken off its list and counted as granted
        @Nullable Waiter nextGranted;                    // chain of waiters to complete after unlocking
    }

    /**
     * Waits until {@code waiter} is completed: suspends the calling task, or blocks the calling thread.
     *
     * @param waiter the waiter
     * @param what   the primitive and method, for the message of an interrupted thread
     * @throws CancelledException if the task is cancelled or times out, or the thread is interrupted
     *                            (then the interrupt status is cleared, as by InterruptedException)
     */
    static void await(Waiter waiter, String what) throws CancelledException {
        if (Traps.inTask()) {
            Traps.call(new Trap.FutureWait(waiter));
            return;
        }
        try {
            waiter.get();
        } catch (InterruptedException e) {
            TaskCancelledException c = new TaskCancelledException("thread " + Thread.currentThread().getName()
                    + " interrupted while waiting in " + what);
            c.initCause(e);
            throw c;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiter completed exceptionally", e); // never: we complete normally
        }
    }

    /**
     * Blocks the calling plain thread until {@code waiter} is completed.
     *
     * @param waiter the waiter
     * @throws InterruptedException if the thread is interrupted before or while waiting; the interrupt
     *                              status is then cleared, as every method that throws it does
     */
    static void block(Waiter waiter) throws InterruptedException {
        try {
            waiter.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiter completed exceptionally", e); // never: we complete normally
        }
    }

    /**
     * Waits like {@link #await}, for a waiter that needs no hand-back when the wait is abandoned (an
     * event, a result, a join): on cancellation or failure it is taken off {@code list}, under
     * {@code mutex}, before the exception leaves.
     *
     * @param waiter the waiter, linked into {@code list}
     * @param what   the primitive and method, for the message of an interrupted thread
     * @param mutex  the lock that guards {@code list}
     * @param list   the list the waiter is on
     * @throws CancelledException if the task is cancelled or times out, or the thread is interrupted
     */
    static void awaitOrLeave(Waiter waiter, String what, ReentrantLock mutex, WaiterList list)
            throws CancelledException {
        try {
            await(waiter, what);
        } catch (CancelledException | RuntimeException e) {
            mutex.lock();
            try {
                list.remove(waiter);
            } finally {
                mutex.unlock();
            }
            throw e;
        }
    }

    /**
     * Completes every waiter of a chain built by {@link WaiterList#grant}, in the order they were
     * granted; called outside any lock.
     */
    static void complete(@Nullable Waiter chain) {
        Waiter reversed = null;                           // grant() builds the chain newest first
        for (Waiter w = chain; w != null; ) {
            Waiter next = w.nextGranted;
            w.nextGranted = reversed;
            reversed = w;
            w = next;
        }
        for (Waiter w = reversed; w != null; ) {
            Waiter next = w.nextGranted;
            w.nextGranted = null;
            w.complete(null);
            w = next;
        }
    }

    /** A FIFO of waiters with removal from anywhere in O(1); guarded by its owner's mutex. */
    static final class WaiterList {
        private @Nullable Waiter head;
        private @Nullable Waiter tail;
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        int size() {
            return size;
        }

        void add(Waiter w) {
            w.prev = tail;
            w.next = null;
            if (tail == null) {
                head = w;
            } else {
                tail.next = w;
            }
            tail = w;
            w.linked = true;
            size++;
        }

        /** Removes and returns the oldest waiter; the list must not be empty. */
        Waiter removeFirst() {
            Waiter w = head;
            if (w == null) {
                throw new IllegalStateException("empty waiter list");
            }
            remove(w);
            return w;
        }

        /** Removes {@code w} if it is linked; returns whether it was. */
        boolean remove(Waiter w) {
            if (!w.linked) {
                return false;
            }
            w.linked = false;
            if (w.prev == null) {
                head = w.next;
            } else {
                w.prev.next = w.next;
            }
            if (w.next == null) {
                tail = w.prev;
            } else {
                w.next.prev = w.prev;
            }
            w.prev = null;
            w.next = null;
            size--;
            return true;
        }

        /**
         * Removes every waiter without granting it anything, chaining them onto {@code chain}; returns
         * the new chain. A released waiter's {@code granted} stays false.
         */
        @Nullable Waiter releaseAll(@Nullable Waiter chain) {
            Waiter result = chain;
            while (head != null) {
                Waiter w = removeFirst();
                w.nextGranted = result;
                result = w;
            }
            return result;
        }

        /**
         * Marks up to {@code n} waiters granted, oldest first, removing them and chaining them onto
         * {@code chain}; returns the new chain.
         */
        @Nullable Waiter grant(int n, @Nullable Waiter chain) {
            Waiter result = chain;
            for (int i = 0; i < n && head != null; i++) {
                Waiter w = removeFirst();
                w.granted = true;
                w.nextGranted = result;
                result = w;
            }
            return result;
        }
    }
}
