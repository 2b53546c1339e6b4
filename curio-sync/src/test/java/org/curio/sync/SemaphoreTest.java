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
import org.curio.sync.SyncHarness.Events;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** {@link Semaphore} and {@link BoundedSemaphore}: curio's {@code TestSemaphore}, plus conservation. */
class SemaphoreTest {
    private static void worker(Semaphore sema, String label, double seconds, Events r) throws CancelledException {
        r.add(label + " wait");
        r.add(sema.isLocked());
        try (var _ = sema.acquired()) {
            r.add(label + " acquire");
            Timeouts.sleep(seconds(seconds));
        }
        r.add(label + " release");
    }

    /** With one permit, workers take turns in the order they asked. */
    @Test
    void sequence() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var sema = new Semaphore();
            Task<?> t1 = Curio.spawn(() -> worker(sema, "work1", 0.25, r));
            Task<?> t2 = Curio.spawn(() -> worker(sema, "work2", 0.25, r));
            Task<?> t3 = Curio.spawn(() -> worker(sema, "work3", 0.25, r));
            t1.join();
            t2.join();
            t3.join();
        });
        r.assertEquals("work1 wait", false, "work1 acquire", "work2 wait", true, "work3 wait", true,
                "work1 release", "work2 acquire", "work2 release", "work3 acquire", "work3 release");
    }

    /** With two permits, two workers run at once and the third gets the first permit released. */
    @Test
    void sequence2() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var sema = new Semaphore(2);
            Task<?> t1 = Curio.spawn(() -> worker(sema, "work1", 0.25, r));
            Task<?> t2 = Curio.spawn(() -> worker(sema, "work2", 0.30, r));
            Task<?> t3 = Curio.spawn(() -> worker(sema, "work3", 0.35, r));
            t1.join();
            t2.join();
            t3.join();
            assertEquals(2, sema.value());
        });
        r.assertEquals("work1 wait", false, "work1 acquire", "work2 wait", false, "work2 acquire", "work3 wait",
                true, "work1 release", "work3 acquire", "work2 release", "work3 release");
    }

    /** A cancelled acquire raises the cancellation and takes no permit. */
    @Test
    void acquireCancel() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var sema = new Semaphore();
            try (var _ = sema.acquired()) {
                Task<?> task = Curio.spawn(() -> {
                    r.add("lock_wait");
                    try (var _ = sema.acquired()) {
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
            }
            assertEquals(new Semaphore.Statistics(1, 0), sema.statistics());
        });
        r.assertEquals("sleep", "lock_wait", "cancel_start", "lock_cancel", "cancel_done");
    }

    /** A timed-out acquire raises TaskTimeoutException and takes no permit. */
    @Test
    void acquireTimeout() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var sema = new Semaphore();
            try (var _ = sema.acquired()) {
                Task<?> w = Curio.spawn(() -> {
                    r.add("lock_wait");
                    try {
                        Timeouts.after(seconds(0.5), sema::acquire);
                        r.add("never here");
                        sema.release();
                    } catch (TaskTimeoutException e) {
                        r.add("lock_timeout");
                    }
                });
                r.add("sleep");
                Timeouts.sleep(seconds(1));
                r.add("sleep_done");
                w.join();
            }
            assertEquals(1, sema.value());
        });
        r.assertEquals("sleep", "lock_wait", "lock_timeout", "sleep_done");
    }

    /** Thousands of acquires timing out at every moment, some at the instant of a release, lose no permit. */
    @Test
    void permitsConservedAfterThousandsOfTimedOutAcquires() throws Exception {
        int rounds = 2_000 * SyncHarness.stress();
        long[] outcome = new long[2];
        SyncHarness.runVoid(() -> {
            var sema = new Semaphore(3);
            try (TaskGroup g = TaskGroup.open()) {
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
                            synchronized (outcome) {
                                outcome[timedOut ? 1 : 0]++;
                            }
                        }
                    });
                }
                g.join();
            }
            assertEquals(new Semaphore.Statistics(3, 0), sema.statistics());
        });
        assertEquals(rounds / 8 * 8, outcome[0] + outcome[1]);
        assertTrue(outcome[1] > rounds / 10, "enough acquires timed out: " + outcome[1]);
    }

    /** A BoundedSemaphore refuses a release above its initial value; a negative value is refused. */
    @Test
    void boundedSemaphoreOverRelease() throws Exception {
        SyncHarness.runVoid(() -> {
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
        });
        var e = assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        assertEquals("semaphore value must not be negative: -1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BoundedSemaphore(-2));
    }

    /** A release hands its permit to the waiter, so the value stays 0 and a newcomer's try fails. */
    @Test
    void releaseHandsPermitToWaiter() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var sema = new Semaphore(1);
            assertTrue(sema.tryAcquire());
            assertFalse(sema.tryAcquire());
            Task<?> w = Curio.spawn(() -> {
                sema.acquire();
                r.add("waiter has permit");
                sema.release();
            });
            Curio.schedule();
            assertEquals("Semaphore[value=0, waiting=1]", sema.toString());
            sema.release();
            assertEquals(0, sema.value());
            assertTrue(sema.isLocked());
            r.add("newcomer try " + sema.tryAcquire());
            w.join();
            assertEquals(1, sema.value());
        });
        r.assertEquals("newcomer try false", "waiter has permit");
    }
}
