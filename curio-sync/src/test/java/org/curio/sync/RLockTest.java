package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.sync.SyncHarness.Events;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** {@link RLock}: curio's {@code TestRLock}, plus hand-off and cancellation. */
class RLockTest {
    private static void inner(RLock lck, String label, Events r) throws CancelledException {
        r.add(lck.isLocked());
        try (var _ = lck.acquired()) {
            r.add(label + " inner acquired");
            r.add(label + " inner releasing");
        }
    }

    private static void worker(RLock lck, String label, Events r) throws CancelledException {
        r.add(lck.isLocked());
        r.add(label + " wait");
        try (var _ = lck.acquired()) {
            r.add(label + " acquired");
            Timeouts.sleep(seconds(0.25));
            inner(lck, label, r);
            r.add(label + " releasing");
        }
    }

    /** The owner re-enters without waiting; others get the lock in order after the last release. */
    @Test
    void reenter() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var lck = new RLock();
            Task<?> t1 = Curio.spawn(() -> worker(lck, "work1", r));
            Task<?> t2 = Curio.spawn(() -> worker(lck, "work2", r));
            Task<?> t3 = Curio.spawn(() -> {
                r.add("simple wait");
                try (var _ = lck.acquired()) {
                    r.add("simple acquired");
                    r.add("simple releasing");
                }
            });
            t1.join();
            t2.join();
            t3.join();
        });
        r.assertEquals(false, "work1 wait", "work1 acquired", true, "work2 wait", "simple wait", true,
                "work1 inner acquired", "work1 inner releasing", "work1 releasing", "work2 acquired", true,
                "work2 inner acquired", "work2 inner releasing", "work2 releasing", "simple acquired",
                "simple releasing");
    }

    /** Releasing an unlocked RLock, or one another task owns, fails at the call. */
    @Test
    void notOwner() throws Exception {
        SyncHarness.runVoid(() -> {
            var lck = new RLock();
            var free = assertThrows(IllegalStateException.class, lck::release);
            assertTrue(free.getMessage().contains("not held"), free.getMessage());
            Task<?> t1 = Curio.spawn(() -> {
                lck.acquire();
                Timeouts.sleep(seconds(0.25));
                lck.release();
            });
            Task<?> t2 = Curio.spawn(() -> {
                Timeouts.sleep(seconds(0.1));
                var e = assertThrows(IllegalStateException.class, lck::release);
                assertTrue(e.getMessage().contains("only the owner"), e.getMessage());
            });
            t1.join();
            t2.join();
            assertFalse(lck.isLocked());
        });
    }

    /** Hold counts add up and the statistics show them; a timed-out waiter never owns the lock. */
    @Test
    void holdsAndTimeout() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var lck = new RLock();
            lck.acquire();
            assertTrue(lck.tryAcquire());
            assertEquals(2, lck.statistics().holds());
            assertEquals("RLock[locked, holds=2, waiting=0]", lck.toString());
            Task<?> w = Curio.spawn(() -> {
                assertFalse(lck.tryAcquire());
                try {
                    Timeouts.after(seconds(1), lck::acquire);
                } catch (TaskTimeoutException e) {
                    r.add("timeout");
                }
            });
            w.join();
            lck.release();
            lck.release();
            assertEquals(new RLock.Statistics(false, java.util.Optional.empty(), 0, 0), lck.statistics());
        });
        r.assertEquals("timeout");
    }

    /** The final release hands the lock to the longest waiter, who keeps it despite a racing cancel. */
    @Test
    void handOffBeatsRacingCancel() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var lck = new RLock();
            lck.acquire();
            lck.acquire();
            Task<?> w = Curio.spawn(() -> {
                try (var _ = lck.acquired()) {
                    r.add("owner " + lck.statistics().holds());
                    Timeouts.sleep(seconds(1));
                } catch (CancelledException e) {
                    r.add("cancelled while owning");
                }
            });
            Curio.schedule();
            lck.release();
            assertTrue(lck.statistics().owner().isPresent());
            lck.release();
            assertTrue(lck.isLocked());
            w.requestCancel();
            w.join();
            assertFalse(lck.isLocked());
        });
        r.assertEquals("owner 1", "cancelled while owning");
    }
}
