package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;

/** {@link Semaphore} and {@link BoundedSemaphore}: curio's {@code TestSemaphore}, plus conservation. */
class SemaphoreTest {
    private static void worker(Semaphore sema, String label, double seconds, Steps steps) throws CancelledException {
        steps.record(label + " wait");
        steps.record(sema.isLocked());
        try (var _ = sema.acquired()) {
            steps.record(label + " acquire");
            Timeouts.sleep(seconds(seconds));
        }
        steps.record(label + " release");
    }

    /** With one permit, workers take turns in the order they asked. */
    @CurioTest
    void sequence(Steps steps) throws Exception {
        var sema = new Semaphore();
        Task<?> t1 = Curio.spawn(() -> worker(sema, "work1", 0.25, steps));
        Task<?> t2 = Curio.spawn(() -> worker(sema, "work2", 0.25, steps));
        Task<?> t3 = Curio.spawn(() -> worker(sema, "work3", 0.25, steps));
        t1.join();
        t2.join();
        t3.join();
        steps.assertEvents("work1 wait", false, "work1 acquire", "work2 wait", true, "work3 wait", true,
                "work1 release", "work2 acquire", "work2 release", "work3 acquire", "work3 release");
    }

    /** With two permits, two workers run at once and the third gets the first permit released. */
    @CurioTest
    void sequence2(Steps steps) throws Exception {
        var sema = new Semaphore(2);
        Task<?> t1 = Curio.spawn(() -> worker(sema, "work1", 0.25, steps));
        Task<?> t2 = Curio.spawn(() -> worker(sema, "work2", 0.30, steps));
        Task<?> t3 = Curio.spawn(() -> worker(sema, "work3", 0.35, steps));
        t1.join();
        t2.join();
        t3.join();
        assertEquals(2, sema.value());
        steps.assertEvents("work1 wait", false, "work1 acquire", "work2 wait", false, "work2 acquire", "work3 wait",
                true, "work1 release", "work3 acquire", "work2 release", "work3 release");
    }

    /** A cancelled acquire raises the cancellation and takes no permit. */
    @CurioTest
    void acquireCancel(Steps steps) throws Exception {
        var sema = new Semaphore();
        try (var _ = sema.acquired()) {
            Task<?> task = Curio.spawn(() -> {
                steps.record("lock_wait");
                try (var _ = sema.acquired()) {
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
        }
        assertEquals(new Semaphore.Statistics(1, 0), sema.statistics());
        steps.assertEvents("sleep", "lock_wait", "cancel_start", "lock_cancel", "cancel_done");
    }

    /** A timed-out acquire raises TaskTimeoutException and takes no permit. */
    @CurioTest
    void acquireTimeout(Steps steps) throws Exception {
        var sema = new Semaphore();
        try (var _ = sema.acquired()) {
            Task<?> w = Curio.spawn(() -> {
                steps.record("lock_wait");
                try {
                    Timeouts.after(seconds(0.5), sema::acquire);
                    steps.record("never here");
                    sema.release();
                } catch (TaskTimeoutException e) {
                    steps.record("lock_timeout");
                }
            });
            steps.record("sleep");
            Timeouts.sleep(seconds(1));
            steps.record("sleep_done");
            w.join();
        }
        assertEquals(1, sema.value());
        steps.assertEvents("sleep", "lock_wait", "lock_timeout", "sleep_done");
    }

    /** Thousands of acquires timing out at every moment, some at the instant of a release, lose no permit. */
    @CurioTest
    void permitsConservedAfterThousandsOfTimedOutAcquires() throws Exception {
        int rounds = 2_000 * SyncHarness.stress();
        long[] outcome = new long[2];                       // acquired, timed out
        var sema = new Semaphore(3);
        try (TaskGroup<Object> g = TaskGroup.open()) {
            for (int w = 0; w < 8; w++) {
                int id = w;
                g.spawn(() -> {
                    for (int n = 0; n < rounds / 8; n++) {
                        int i = n;
                        Duration wait = Duration.ofMillis((i * 7L + id * 3L) % 5);
                        boolean timedOut = Timeouts.ignoreAfter(wait, () -> {
                            try (var _ = sema.acquired()) {
                                Timeouts.sleep(Duration.ofMillis((i + id) % 4));
                            }
                        });
                        outcome[timedOut ? 1 : 0]++;
                    }
                });
            }
            g.join();
        }
        assertEquals(new Semaphore.Statistics(3, 0), sema.statistics());
        assertEquals(rounds / 8 * 8, outcome[0] + outcome[1]);
        assertTrue(outcome[1] > rounds / 10, "enough acquires timed out: " + outcome[1]);
    }

    /** A BoundedSemaphore refuses a release above its initial value; a negative value is refused. */
    @CurioTest
    void boundedSemaphoreOverRelease() throws Exception {
        var sema = new BoundedSemaphore(2);
        sema.acquire();
        sema.release();
        var e = assertThrows(IllegalStateException.class, sema::release);
        assertTrue(e.getMessage().contains("released too often"), e.getMessage());
        assertEquals("BoundedSemaphore[value=2, bound=2, waiting=0]", sema.toString());
        var zero = new BoundedSemaphore(0);
        assertThrows(IllegalStateException.class, zero::release);
        var plain = new Semaphore(0);
        plain.release();
        assertEquals(1, plain.value());
        var negative = assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        assertEquals("semaphore value must not be negative: -1", negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BoundedSemaphore(-2));
    }

    /** A release hands its permit to the waiter, so the value stays 0 and a newcomer's try fails. */
    @CurioTest
    void releaseHandsPermitToWaiter(Steps steps) throws Exception {
        var sema = new Semaphore(1);
        assertTrue(sema.tryAcquire());
        assertFalse(sema.tryAcquire());
        Task<?> w = Curio.spawn(() -> {
            sema.acquire();
            steps.record("waiter has permit");
            sema.release();
        });
        Curio.schedule();
        assertEquals("Semaphore[value=0, waiting=1]", sema.toString());
        sema.release();
        assertEquals(0, sema.value());
        assertTrue(sema.isLocked());
        steps.record("newcomer try " + sema.tryAcquire());
        w.join();
        assertEquals(1, sema.value());
        steps.assertEvents("newcomer try false", "waiter has permit");
    }
}
