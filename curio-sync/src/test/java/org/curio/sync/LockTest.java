package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.sync.SyncHarness.Events;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** {@link Lock}: curio's {@code TestLock}, plus hand-off, cancellation and misuse. */
class LockTest {
    private static void worker(Lock lck, String label, Events r) throws CancelledException {
        r.add(label + " wait");
        r.add(lck.isLocked());
        try (var _ = lck.acquired()) {
            r.add(label + " acquire");
            Timeouts.sleep(seconds(0.25));
        }
        r.add(label + " release");
    }

    /** Waiters get the lock in the order they asked, and the releaser runs on before the next owner. */
    @Test
    void sequence() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var lck = new Lock();
            Task<?> t1 = Curio.spawn(() -> worker(lck, "work1", r));
            Task<?> t2 = Curio.spawn(() -> worker(lck, "work2", r));
            Task<?> t3 = Curio.spawn(() -> worker(lck, "work3", r));
            t1.join();
            t2.join();
            t3.join();
        });
        r.assertEquals("work1 wait", false, "work1 acquire", "work2 wait", true, "work3 wait", true,
                "work1 release", "work2 acquire", "work2 release", "work3 acquire", "work3 release");
    }

    /** A cancelled acquire raises the cancellation and leaves the lock as if it had never waited. */
    @Test
    void acquireCancel() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var lck = new Lock();
            try (var _ = lck.acquired()) {
                Task<?> task = Curio.spawn(() -> {
                    r.add("lock_wait");
                    try (var _ = lck.acquired()) {
                        r.add("never here");
                    } catch (CancelledException e) {
                        r.add("lock_cancel");
                    }
                });
                r.add("sleep");
                Timeouts.sleep(seconds(1));
                r.add("cancel_start");
                task.cancel();
                r.add("cancel_done");
                assertEquals("Lock[locked, waiting=0]", lck.toString());
            }
            assertFalse(lck.isLocked());
        });
        r.assertEquals("sleep", "lock_wait", "cancel_start", "lock_cancel", "cancel_done");
    }

    /** A timed-out acquire raises TaskTimeoutException and never holds the lock. */
    @Test
    void acquireTimeout() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var lck = new Lock();
            try (var _ = lck.acquired()) {
                Task<?> w = Curio.spawn(() -> {
                    r.add("lock_wait");
                    try {
                        Timeouts.after(seconds(0.5), lck::acquire);
                        r.add("never here");
                        lck.release();
                    } catch (TaskTimeoutException e) {
                        r.add("lock_timeout");
                    }
                });
                r.add("sleep");
                Timeouts.sleep(seconds(1));
                r.add("sleep_done");
                w.join();
            }
            assertEquals(new Lock.Statistics(false, Optional.empty(), 0), lck.statistics());
        });
        r.assertEquals("sleep", "lock_wait", "lock_timeout", "sleep_done");
    }

    /** A newcomer that runs before the woken waiter cannot barge in: release handed the lock over. */
    @Test
    void releaseHandsOffToWaiterNoBarging() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var lck = new Lock();
            lck.acquire();
            Task<?> waiter = Curio.spawn(() -> {
                lck.acquire();
                r.add("waiter owns");
                lck.release();
            });
            Curio.schedule();
            Task<?> newcomer = Curio.spawn(() -> {       // ready before the waiter is woken
                r.add("newcomer try " + lck.tryAcquire());
                lck.acquire();
                r.add("newcomer owns");
                lck.release();
            });
            lck.release();
            assertTrue(lck.isLocked(), "handed over, still locked");
            waiter.join();
            newcomer.join();
            assertFalse(lck.isLocked());
        });
        r.assertEquals("newcomer try false", "waiter owns", "newcomer owns");
    }

    /** A waiter handed the lock and cancelled before it runs keeps the lock; the cancel hits its next wait. */
    @Test
    void wakeBeatsRacingCancel() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var lck = new Lock();
            lck.acquire();
            Task<?> waiter = Curio.spawn(() -> {
                try (var _ = lck.acquired()) {
                    r.add("acquired");
                    Timeouts.sleep(seconds(1));
                    r.add("never here");
                } catch (TaskCancelledException e) {
                    r.add("cancelled holding the lock, released by close");
                }
            });
            Curio.schedule();
            lck.release();
            waiter.requestCancel();
            waiter.join();
            assertFalse(lck.isLocked());
        });
        r.assertEquals("acquired", "cancelled holding the lock, released by close");
    }

    /** Releasing a lock the task does not hold, or taking it twice, fails at the call. */
    @Test
    void misuseFailsAtTheCall() throws Exception {
        SyncHarness.runVoid(() -> {
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
        });
        var lck = new Lock();
        var e = assertThrows(IllegalStateException.class, lck::acquire);
        assertTrue(e.getMessage().startsWith("Lock.acquire called outside any curio task"), e.getMessage());
    }

    /** toString shows the state and the number of waiters. */
    @Test
    void toStringShowsWaiters() throws Exception {
        SyncHarness.runVoid(() -> {
            var lck = new Lock();
            lck.acquire();
            Task<?> a = Curio.spawn(lck::acquire);
            Task<?> b = Curio.spawn(lck::acquire);
            Curio.schedule();
            assertEquals("Lock[locked, waiting=2]", lck.toString());
            a.cancel();
            b.cancel();
            lck.release();
        });
    }
}
