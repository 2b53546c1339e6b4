package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.List;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;

/** {@link Condition}: curio's {@code TestCondition}, plus keeping the lock under cancellation. */
class ConditionTest {
    /** Consumers woken one at a time by a producer take the items in turn. */
    @CurioTest
    void sequence(Steps steps) throws Exception {
        var cond = new Condition(new Lock());
        var q = new ArrayDeque<Integer>();
        int none = -1;
        Task<?>[] consumers = new Task<?>[2];
        for (int c = 0; c < 2; c++) {
            String label = "cons" + (c + 1);
            consumers[c] = Curio.spawn(() -> {
                while (true) {
                    try (var _ = cond.acquired()) {
                        if (q.isEmpty()) {
                            steps.record(label + " wait");
                            cond.await();
                        }
                        int item = q.removeFirst();
                        if (item == none) {
                            break;
                        }
                        steps.record(List.of(label, item));
                    }
                }
                steps.record(label + " done");
            });
        }
        Task<?> producer = Curio.spawn(() -> {
            for (int n = 0; n < 4; n++) {
                try (var _ = cond.acquired()) {
                    q.add(n);
                    steps.record(List.of("producing", n));
                    cond.signal();
                }
                Timeouts.sleep(seconds(0.1));
            }
            for (int n = 0; n < 2; n++) {
                try (var _ = cond.acquired()) {
                    q.add(none);
                    steps.record(List.of("ending", n));
                    cond.signal();
                }
                Timeouts.sleep(seconds(0.1));
            }
        });
        consumers[0].join();
        consumers[1].join();
        producer.join();
        steps.assertEvents("cons1 wait", "cons2 wait", List.of("producing", 0), List.of("cons1", 0), "cons1 wait",
                List.of("producing", 1), List.of("cons2", 1), "cons2 wait", List.of("producing", 2),
                List.of("cons1", 2), "cons1 wait", List.of("producing", 3), List.of("cons2", 3), "cons2 wait",
                List.of("ending", 0), "cons1 done", List.of("ending", 1), "cons2 done");
    }

    /** A cancelled wait raises the cancellation, holding the lock, which the block then releases. */
    @CurioTest
    void waitCancel(Steps steps) throws Exception {
        var cond = new Condition();
        Task<?> task = Curio.spawn(() -> {
            try (var _ = cond.acquired()) {
                steps.record("cond_wait");
                try {
                    cond.await();
                    steps.record("never here");
                } finally {
                    steps.record("holds lock " + (cond.lock().statistics().owner().orElseThrow()
                            == Curio.currentTask()));
                }
            } catch (CancelledException e) {
                steps.record("worker_cancel");
            }
        });
        steps.record("sleep");
        Timeouts.sleep(seconds(1));
        steps.record("cancel_start");
        task.cancel();
        steps.record("cancel_done");
        assertEquals("Condition[unlocked, waiting=0]", cond.toString());
        steps.assertEvents("sleep", "cond_wait", "cancel_start", "holds lock true", "worker_cancel", "cancel_done");
    }

    /** A timed-out wait raises TaskTimeoutException, holding the lock. */
    @CurioTest
    void waitTimeout(Steps steps) throws Exception {
        var cond = new Condition();
        Task<?> task = Curio.spawn(() -> {
            try (var _ = cond.acquired()) {
                steps.record("cond_wait");
                Timeouts.after(seconds(0.25), cond::await);
                steps.record("never here");
            } catch (TaskTimeoutException e) {
                steps.record("worker_timeout");
            }
        });
        steps.record("sleep");
        Timeouts.sleep(seconds(1));
        steps.record("done");
        task.join();
        assertEquals(new Condition.Statistics(false, 0), cond.statistics());
        steps.assertEvents("sleep", "cond_wait", "worker_timeout", "done");
    }

    /** signalAll wakes every waiter; each resumes once the signaller has released the lock. */
    @CurioTest
    void signalAllWakesEveryWaiter(Steps steps) throws Exception {
        var cond = new Condition();
        Task<?>[] ts = new Task<?>[3];
        for (int i = 0; i < 3; i++) {
            ts[i] = Curio.spawn(() -> {
                try (var _ = cond.acquired()) {
                    steps.record("cond_wait");
                    cond.await();
                    steps.record("wait_done");
                }
            });
        }
        steps.record("sleep");
        Timeouts.sleep(seconds(1));
        try (var _ = cond.acquired()) {
            steps.record("notify");
            cond.signalAll();
        }
        steps.record("done");
        for (Task<?> t : ts) {
            t.join();
        }
        steps.assertEvents("sleep", "cond_wait", "cond_wait", "cond_wait", "notify", "done", "wait_done", "wait_done",
                "wait_done");
    }

    /** awaitUntil returns only once the predicate holds, checked with the lock held. */
    @CurioTest
    void waitFor(Steps steps) throws Exception {
        var cond = new Condition();
        var q = new ArrayDeque<Integer>();
        Task<?>[] cs = new Task<?>[2];
        for (int c = 0; c < 2; c++) {
            String label = "cons" + (c + 1);
            cs[c] = Curio.spawn(() -> {
                try (var _ = cond.acquired()) {
                    steps.record(label + " waitfor");
                    cond.awaitUntil(() -> q.size() > 2);
                    steps.record(List.of(label, q.size()));
                }
                steps.record(label + " done");
            });
        }
        Task<?> producer = Curio.spawn(() -> {
            for (int n = 0; n < 4; n++) {
                try (var _ = cond.acquired()) {
                    q.add(n);
                    steps.record(List.of("producing", n));
                    cond.signal();
                }
                Timeouts.sleep(seconds(0.1));
            }
        });
        cs[0].join();
        cs[1].join();
        producer.join();
        steps.assertEvents("cons1 waitfor", "cons2 waitfor", List.of("producing", 0), List.of("producing", 1),
                List.of("producing", 2), List.of("cons1", 3), "cons1 done", List.of("producing", 3),
                List.of("cons2", 4), "cons2 done");
    }

    /** Waiting or signalling without holding the lock fails at the call. */
    @CurioTest
    void conditionError() throws Exception {
        var c = new Condition();
        assertThrows(IllegalStateException.class, c::signal);
        assertThrows(IllegalStateException.class, c::signalAll);
        var e = assertThrows(IllegalStateException.class, c::await);
        assertTrue(e.getMessage().startsWith("Condition.await: the lock is not held"), e.getMessage());
        c.acquire();
        assertThrows(IllegalArgumentException.class, () -> c.signal(0));
        c.release();
    }

    /** A wait cancelled while a signalled waiter queues for the held lock still returns holding it. */
    @CurioTest
    void cancelDuringReacquireStillReturnsHoldingTheLock(Steps steps) throws Exception {
        var lock = new Lock();
        var cond = new Condition(lock);
        Task<?> w = Curio.spawn(() -> {
            try (var _ = cond.acquired()) {
                try {
                    cond.await();
                } catch (TaskCancelledException e) {
                    steps.record("cancelled, owner is me: " + (lock.statistics().owner().orElseThrow()
                            == Curio.currentTask()));
                }
            }
        });
        Curio.schedule();
        lock.acquire();
        cond.signal();
        Timeouts.sleep(seconds(1));          // the waiter now queues for the lock we hold
        steps.record("lock waiters " + lock.statistics().waiting());
        w.requestCancel();                   // cancels its lock re-acquisition
        Timeouts.sleep(seconds(1));
        steps.record("still waiting " + lock.statistics().waiting());
        lock.release();
        w.join();
        assertSame(false, lock.isLocked());
        steps.assertEvents("lock waiters 1", "still waiting 1", "cancelled, owner is me: true");
    }

    /** A timeout and a direct cancel during one wait: the cancel is the one thrown, with the lock held. */
    @CurioTest
    void cancelWinsOverTimeoutDuringWait(Steps steps) throws Exception {
        var lock = new Lock();
        var cond = new Condition(lock);
        Task<?> w = Curio.spawn(() -> {
            try (var _ = cond.acquired()) {
                Timeouts.after(seconds(1), cond::await);
            } catch (TaskCancelledException e) {
                steps.record("cancel thrown, suppressed " + java.util.Arrays.stream(e.getSuppressed())
                        .map(x -> x.getClass().getSimpleName())
                        .filter(n -> !n.equals("BlockedAt"))       // where the task was blocked: the kernel's note
                        .toList());
            } catch (TaskTimeoutException e) {
                steps.record("timeout thrown");
            }
        });
        Curio.schedule();
        lock.acquire();                       // the waiter must queue for it after the timeout
        Timeouts.sleep(seconds(2));
        w.requestCancel();
        Timeouts.sleep(seconds(1));
        lock.release();
        w.join();
        steps.assertEvents("cancel thrown, suppressed [TaskTimeoutException]");
    }
}
