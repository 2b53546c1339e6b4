package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;

/** {@link RLock}: curio's {@code TestRLock}, plus hand-off and cancellation. */
class RLockTest {
    private static void inner(RLock lck, String label, Steps steps) throws CancelledException {
        steps.record(lck.isLocked());
        try (var _ = lck.acquired()) {
            steps.record(label + " inner acquired");
            steps.record(label + " inner releasing");
        }
    }

    private static void worker(RLock lck, String label, Steps steps) throws CancelledException {
        steps.record(lck.isLocked());
        steps.record(label + " wait");
        try (var _ = lck.acquired()) {
            steps.record(label + " acquired");
            Timeouts.sleep(seconds(0.25));
            inner(lck, label, steps);
            steps.record(label + " releasing");
        }
    }

    /** The owner re-enters without waiting; others get the lock in order after the last release. */
    @CurioTest
    void reenter(Steps steps) throws Exception {
        var lck = new RLock();
        Task<?> t1 = Curio.spawn(() -> worker(lck, "work1", steps));
        Task<?> t2 = Curio.spawn(() -> worker(lck, "work2", steps));
        Task<?> t3 = Curio.spawn(() -> {
            steps.record("simple wait");
            try (var _ = lck.acquired()) {
                steps.record("simple acquired");
                steps.record("simple releasing");
            }
        });
        t1.join();
        t2.join();
        t3.join();
        steps.assertEvents(false, "work1 wait", "work1 acquired", true, "work2 wait", "simple wait", true,
                "work1 inner acquired", "work1 inner releasing", "work1 releasing", "work2 acquired", true,
                "work2 inner acquired", "work2 inner releasing", "work2 releasing", "simple acquired",
                "simple releasing");
    }

    /** Releasing an unlocked RLock, or one another task owns, fails at the call. */
    @CurioTest
    void notOwner() throws Exception {
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
    }

    /** Hold counts add up and the statistics show them; a timed-out waiter never owns the lock. */
    @CurioTest
    void holdsAndTimeout(Steps steps) throws Exception {
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
                steps.record("timeout");
            }
        });
        w.join();
        lck.release();
        lck.release();
        assertEquals(new RLock.Statistics(false, java.util.Optional.empty(), 0, 0), lck.statistics());
        steps.assertEvents("timeout");
    }

    /** The final release hands the lock to the longest waiter, who keeps it despite a racing cancel. */
    @CurioTest
    void handOffBeatsRacingCancel(Steps steps) throws Exception {
        var lck = new RLock();
        lck.acquire();
        lck.acquire();
        Task<?> w = Curio.spawn(() -> {
            try (var _ = lck.acquired()) {
                steps.record("owner " + lck.statistics().holds());
                Timeouts.sleep(seconds(1));
            } catch (CancelledException e) {
                steps.record("cancelled while owning");
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
        steps.assertEvents("owner 1", "cancelled while owning");
    }
}
