package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** {@link Lock}: curio's {@code TestLock}, plus hand-off, cancellation and misuse. */
class LockTest {
    private static void worker(Lock lck, String label, Steps steps) throws CancelledException {
        steps.record(label + " wait");
        steps.record(lck.isLocked());
        try (var _ = lck.acquired()) {
            steps.record(label + " acquire");
            Timeouts.sleep(seconds(0.25));
        }
        steps.record(label + " release");
    }

    /** Waiters get the lock in the order they asked, and the releaser runs on before the next owner. */
    @CurioTest
    void sequence(Steps steps) throws Exception {
        var lck = new Lock();
        Task<?> t1 = Curio.spawn(() -> worker(lck, "work1", steps));
        Task<?> t2 = Curio.spawn(() -> worker(lck, "work2", steps));
        Task<?> t3 = Curio.spawn(() -> worker(lck, "work3", steps));
        t1.join();
        t2.join();
        t3.join();
        steps.assertEvents("work1 wait", false, "work1 acquire", "work2 wait", true, "work3 wait", true,
                "work1 release", "work2 acquire", "work2 release", "work3 acquire", "work3 release");
    }

    /** A cancelled acquire raises the cancellation and leaves the lock as if it had never waited. */
    @CurioTest
    void acquireCancel(Steps steps) throws Exception {
        var lck = new Lock();
        try (var _ = lck.acquired()) {
            Task<?> task = Curio.spawn(() -> {
                steps.record("lock_wait");
                try (var _ = lck.acquired()) {
                    steps.record("never here");
                } catch (CancelledException e) {
                    steps.record("lock_cancel");
                }
            });
            steps.record("sleep");
            Timeouts.sleep(seconds(1));
            steps.record("cancel_start");
            task.cancel();
            steps.record("cancel_done");
            assertEquals("Lock[locked, waiting=0]", lck.toString());
        }
        assertFalse(lck.isLocked());
        steps.assertEvents("sleep", "lock_wait", "cancel_start", "lock_cancel", "cancel_done");
    }

    /** A timed-out acquire raises TaskTimeoutException and never holds the lock. */
    @CurioTest
    void acquireTimeout(Steps steps) throws Exception {
        var lck = new Lock();
        try (var _ = lck.acquired()) {
            Task<?> w = Curio.spawn(() -> {
                steps.record("lock_wait");
                try {
                    Timeouts.after(seconds(0.5), lck::acquire);
                    steps.record("never here");
                    lck.release();
                } catch (TaskTimeoutException e) {
                    steps.record("lock_timeout");
                }
            });
            steps.record("sleep");
            Timeouts.sleep(seconds(1));
            steps.record("sleep_done");
            w.join();
        }
        assertEquals(new Lock.Statistics(false, Optional.empty(), 0), lck.statistics());
        steps.assertEvents("sleep", "lock_wait", "lock_timeout", "sleep_done");
    }

    /** A newcomer that runs before the woken waiter cannot barge in: release handed the lock over. */
    @CurioTest
    void releaseHandsOffToWaiterNoBarging(Steps steps) throws Exception {
        var lck = new Lock();
        lck.acquire();
        Task<?> waiter = Curio.spawn(() -> {
            lck.acquire();
            steps.record("waiter owns");
            lck.release();
        });
        Curio.schedule();
        Task<?> newcomer = Curio.spawn(() -> {       // ready before the waiter is woken
            steps.record("newcomer try " + lck.tryAcquire());
            lck.acquire();
            steps.record("newcomer owns");
            lck.release();
        });
        lck.release();
        assertTrue(lck.isLocked(), "handed over, still locked");
        waiter.join();
        newcomer.join();
        assertFalse(lck.isLocked());
        steps.assertEvents("newcomer try false", "waiter owns", "newcomer owns");
    }

    /** A waiter handed the lock and cancelled before it runs keeps the lock; the cancel hits its next wait. */
    @CurioTest
    void wakeBeatsRacingCancel(Steps steps) throws Exception {
        var lck = new Lock();
        lck.acquire();
        Task<?> waiter = Curio.spawn(() -> {
            try (var _ = lck.acquired()) {
                steps.record("acquired");
                Timeouts.sleep(seconds(1));
                steps.record("never here");
            } catch (TaskCancelledException e) {
                steps.record("cancelled holding the lock, released by close");
            }
        });
        Curio.schedule();
        lck.release();
        waiter.requestCancel();
        waiter.join();
        assertFalse(lck.isLocked());
        steps.assertEvents("acquired", "cancelled holding the lock, released by close");
    }

    /** Releasing a lock the task does not hold, or taking it twice, fails at the call. */
    @CurioTest
    void misuseFailsAtTheCall() throws Exception {
        var lck = new Lock();
        var e = assertThrows(IllegalStateException.class, lck::release);
        assertTrue(e.getMessage().contains("not held"), e.getMessage());
        lck.acquire();
        var twice = assertThrows(IllegalStateException.class, lck::acquire);
        assertTrue(twice.getMessage().contains("not reentrant"), twice.getMessage());
        Task<?> other = Curio.spawn(() -> {
            var notOwner = assertThrows(IllegalStateException.class, lck::release);
            assertTrue(notOwner.getMessage().contains("held by"), notOwner.getMessage());
        });
        other.join();
        assertTrue(lck.isLocked());
        assertEquals(Optional.of(Curio.currentTask()), lck.statistics().owner());
        lck.release();
        assertEquals("Lock[unlocked, waiting=0]", lck.toString());
    }

    /** Using a Lock from a plain thread fails at once with a message naming the primitive. */
    @Test
    void plainThreadIsRejected() {
        var lck = new Lock();
        var e = assertThrows(IllegalStateException.class, lck::acquire);
        assertTrue(e.getMessage().startsWith("Lock.acquire called outside any curio task"), e.getMessage());
    }

    /** toString shows the state and the number of waiters. */
    @CurioTest
    void toStringShowsWaiters() throws Exception {
        var lck = new Lock();
        lck.acquire();
        Task<?> a = Curio.spawn(lck::acquire);
        Task<?> b = Curio.spawn(lck::acquire);
        Curio.schedule();
        assertEquals("Lock[locked, waiting=2]", lck.toString());
        a.cancel();
        b.cancel();
        lck.release();
    }
}
