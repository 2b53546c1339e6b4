package org.curio.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskException;
import org.curio.traps.TaskTimeoutException;
import org.curio.workers.internal.ThreadPool;
import org.junit.jupiter.api.Test;

/** Curio 1.6's test_workers.py for threads, and each cancel point of each policy. */
class RunInThreadTest {
    private static final Duration TICK = Duration.ofMillis(100);

    private static void spin(Steps steps, int n) throws CancelledException {
        for (int i = n; i > 0; i--) {
            steps.record(i);
            Timeouts.sleep(TICK);
        }
    }

    /**
     * {@return the permits in use, after giving the threads a moment (real time, bounded) to return
     * theirs} A thread returns its permit just after the waiting task has its result.
     */
    private static int permitsInUseOnceThreadsAreIdle(ThreadPool pool) throws CancelledException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (pool.permits().inUse() > 0 && System.nanoTime() < deadline) {
            Curio.schedule();
            Thread.onSpinWait();
        }
        return pool.permits().inUse();
    }

    /** A body's failure comes back unchanged, with no cause added (test_exception). */
    @CurioTest
    void failureComesBackUnchanged() throws Exception {
        NumberFormatException e = assertThrows(NumberFormatException.class,
                () -> Workers.runInThread(() -> Integer.parseInt("ten")));
        assertNull(e.getCause());
        assertEquals(42, Workers.runInThread(() -> 42));
    }

    /** A blocking call lets the other tasks run; its result arrives when the thread is done (test_blocking). */
    @CurioTest
    void blockingCallLetsOthersRun(Steps steps) throws Exception {
        CountDownLatch atFive = new CountDownLatch(1);
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                for (int i = 10; i > 0; i--) {
                    steps.record(i);
                    if (i == 5) {
                        atFive.countDown();
                    }
                    Timeouts.sleep(TICK);
                }
            });
            g.spawn(() -> {
                Workers.runInThread(() -> atFive.await(5, TimeUnit.SECONDS));
                steps.record("sleep done");
            });
            g.join();
        }
        steps.assertEvents(10, 9, 8, 7, 6, 5, "sleep done", 4, 3, 2, 1);
    }

    /** A cancelled call ends its task at once, while the thread is still blocked (test_worker_cancel). */
    @CurioTest(autojumpThresholdMillis = 5)
    void cancelAbandonsTheThread(Steps steps) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> spin(steps, 10));
            g.spawn(() -> {
                Task<Boolean> t = Curio.spawn(() -> Workers.runInThread(() -> never.await(5, TimeUnit.SECONDS)));
                Timeouts.sleep(Duration.ofMillis(550));
                t.cancel();
                TaskException e = assertThrows(TaskException.class, t::join);
                steps.record(e.getCause() instanceof CancelledException ? "cancel" : String.valueOf(e.getCause()));
            });
            g.join();
        }
        never.countDown();
        steps.assertEvents(10, 9, 8, 7, 6, 5, "cancel", 4, 3, 2, 1);
    }

    /** A timeout cancels the call the same way (test_worker_timeout). */
    @CurioTest(autojumpThresholdMillis = 5)
    void timeoutAbandonsTheThread(Steps steps) throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> spin(steps, 10));
            g.spawn(() -> {
                try {
                    Timeouts.after(Duration.ofMillis(550), () -> Workers.runInThread(() -> never.await(5, TimeUnit.SECONDS)));
                } catch (TaskTimeoutException e) {
                    steps.record("cancel");
                }
            });
            g.join();
        }
        never.countDown();
        steps.assertEvents(10, 9, 8, 7, 6, 5, "cancel", 4, 3, 2, 1);
    }

    /**
     * An abandoned call keeps its permit until the thread really finishes, and its late result goes
     * to the hook.
     */
    @CurioTest(autojumpThresholdMillis = 5)
    void lateResultGoesToTheHookAndPermitWaitsForTheThread(Steps steps) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Future<String>> late = new CompletableFuture<>();
        ThreadPool pool = Workers.threadPool();
        Task<String> t = Curio.spawn(() -> Workers.runInThread(() -> {
            release.await(5, TimeUnit.SECONDS);
            return "late";
        }, late::complete));
        Timeouts.sleep(TICK);
        t.cancel();
        steps.record("cancelled");
        assertTrue(t.isCancelled());
        assertEquals(1, pool.permits().inUse());        // the thread still runs
        release.countDown();
        Future<String> outcome = Curio.awaitFuture(late);
        steps.record(outcome.resultNow());
        Workers.runInThread(() -> null);                 // the permit came back
        steps.assertEvents("cancelled", "late");
        assertEquals(0, permitsInUseOnceThreadsAreIdle(pool));
    }

    /** The hook is not called when the task gets the result itself. */
    @CurioTest
    void hookIsNotCalledWithoutACancel() throws Exception {
        boolean[] called = {false};
        assertEquals("x", Workers.runInThread(() -> "x", f -> called[0] = true));
        assertFalse(called[0]);
    }

    /** WAIT: the task ends only after the thread, which saw the cancel at its next kernel call. */
    @CurioTest(autojumpThresholdMillis = 5)
    void waitPolicyWaitsForTheThread(Steps steps) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Task<Object> t = Curio.spawn(() -> Workers.runInThread(CancelPolicy.WAIT, () -> {
            go.await(5, TimeUnit.SECONDS);
            steps.record("thread resumes");
            try {
                AsyncThread.await(() -> {
                    Timeouts.sleep(TICK);
                    return null;
                });
                steps.record("not cancelled");
            } catch (TaskCancelledException e) {
                steps.record("thread sees cancel");
            }
            return "discarded";
        }));
        Timeouts.sleep(TICK);
        t.requestCancel();
        Task<Void> releaser = Curio.spawn(() -> {
            Timeouts.sleep(TICK);
            steps.record("release");
            go.countDown();
        });
        t.await();
        steps.record("task ended");
        releaser.join();
        assertInstanceOf(TaskCancelledException.class, t.exception().orElseThrow());
        steps.assertEvents("release", "thread resumes", "thread sees cancel", "task ended");
    }

    /** INTERRUPT: the thread is interrupted, and its interrupt status is clear for the next job. */
    @CurioTest(autojumpThresholdMillis = 5)
    void interruptPolicyInterruptsAndClears(Steps steps) throws Exception {
        Workers.threadLimit(1);                          // the next job reuses the same thread
        Task<Object> t = Curio.spawn(() -> Workers.runInThread(CancelPolicy.INTERRUPT, () -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadline) {
                Thread.onSpinWait();                     // a call that notices the interrupt but leaves it set
            }
            steps.record(Thread.currentThread().isInterrupted() ? "interrupted" : "not interrupted");
            return "discarded";
        }));
        Timeouts.sleep(TICK);
        t.cancel();
        steps.record("task ended");
        assertInstanceOf(TaskCancelledException.class, t.exception().orElseThrow());
        boolean[] next = Workers.runInThread(() -> new boolean[] {Thread.currentThread().isInterrupted()});
        assertFalse(next[0]);
        steps.assertEvents("interrupted", "task ended");
    }

    /** A cancel while waiting for a permit leaves no trace, under every policy. */
    @CurioTest(autojumpThresholdMillis = 5)
    void cancelWhileWaitingForAPermit(Steps steps) throws Exception {
        Workers.threadLimit(1);
        ThreadPool pool = Workers.threadPool();
        CountDownLatch release = new CountDownLatch(1);
        Task<Boolean> holder = Curio.spawn(() -> Workers.runInThread(() -> release.await(5, TimeUnit.SECONDS)));
        Timeouts.sleep(TICK);
        for (CancelPolicy p : CancelPolicy.values()) {
            boolean[] ran = {false};
            Task<Object> waiter = Curio.spawn(() -> Workers.runInThread(p, () -> ran[0] = true));
            Timeouts.sleep(TICK);
            assertEquals(1, pool.permits().waiting());
            waiter.cancel();
            steps.record(p + " " + waiter.isCancelled() + " " + ran[0] + " " + pool.permits().waiting());
        }
        release.countDown();
        assertTrue(holder.join());
        steps.assertEvents("ABANDON true false 0", "WAIT true false 0", "INTERRUPT true false 0");
    }

    /** A permit granted just as its waiter is cancelled passes on rather than being lost. */
    @CurioTest(autojumpThresholdMillis = 5)
    void permitGrantedAsTheWaiterIsCancelledIsPassedOn() throws Exception {
        Workers.threadLimit(1);
        ThreadPool pool = Workers.threadPool();
        CountDownLatch release = new CountDownLatch(1);
        Task<Boolean> holder = Curio.spawn(() -> Workers.runInThread(() -> release.await(5, TimeUnit.SECONDS)));
        Task<Object> waiter = Curio.spawn(() -> Workers.runInThread(() -> "ran"));
        Timeouts.sleep(TICK);
        assertEquals(1, pool.permits().waiting());
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pool.permits().waiting() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();                         // no trap: the waiter cannot run before the cancel
        }
        waiter.cancel();
        assertTrue(waiter.isCancelled());
        assertTrue(holder.join());
        assertEquals("again", Workers.runInThread(() -> "again"));
        assertEquals(0, permitsInUseOnceThreadsAreIdle(pool));
    }

    /** A cancel during the thread's kernel call is thrown by that call, in the thread, under every policy. */
    @CurioTest(autojumpThresholdMillis = 5)
    void cancelDuringAKernelCallReachesTheThread(Steps steps) throws Exception {
        for (CancelPolicy p : CancelPolicy.values()) {
            CountDownLatch seen = new CountDownLatch(1);
            Task<Object> t = Curio.spawn(() -> Workers.runInThread(p, () -> {
                try {
                    AsyncThread.await(() -> {
                        Timeouts.sleep(Duration.ofHours(1));
                        return null;
                    });
                } catch (TaskCancelledException e) {
                    steps.record(p + " thread got cancel");
                    seen.countDown();
                }
                return null;
            }));
            Timeouts.sleep(TICK);
            t.cancel();
            assertTrue(t.isCancelled());
            Workers.runInThread(() -> seen.await(5, TimeUnit.SECONDS));
        }
        steps.assertEvents("ABANDON thread got cancel", "WAIT thread got cancel", "INTERRUPT thread got cancel");
    }

    /** Thread -> kernel -> thread with a limit of one thread does not deadlock: the nested call borrows. */
    @CurioTest
    void nestedCallsDoNotDeadlock() throws Exception {
        Workers.threadLimit(1);
        int r = Workers.runInThread(() -> 1 + AsyncThread.await(() -> Workers.runInThread(() -> 41)));
        assertEquals(42, r);
        assertEquals(0, permitsInUseOnceThreadsAreIdle(Workers.threadPool()));
    }

    /** Many tasks blocking on the same callable use one thread between them (block_in_thread). */
    @CurioTest(autojumpThresholdMillis = 5)
    void blockInThreadSharesOneWorker(Steps steps) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        org.curio.kernel.Body<Boolean, InterruptedException> wait = () -> release.await(5, TimeUnit.SECONDS);
        ThreadPool pool = Workers.threadPool();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            for (int i = 0; i < 20; i++) {
                g.spawn(() -> Workers.blockInThread(wait));
            }
            Timeouts.sleep(TICK);
            steps.record(pool.permits().inUse() + " busy, " + pool.threads() + " thread");
            release.countDown();
            g.join();
        }
        steps.record(pool.gates() + " gates");
        steps.assertEvents("1 busy, 1 thread", "0 gates");
    }

    /** Waiting for real work does not jump the virtual clock: a future wait counts as not idle. */
    @CurioTest
    void realWorkDoesNotJumpTheClock(VirtualClock clock) throws Exception {
        Duration before = clock.elapsed();
        String r = Timeouts.after(Duration.ofSeconds(5), () -> Workers.runInThread(() -> {
            Thread.sleep(30);
            return "done";
        }));
        assertEquals("done", r);
        assertEquals(before, clock.elapsed());
    }

    /** Closing the kernel leaves no worker thread, even one abandoned in a blocking call. */
    @Test
    void closeLeavesNoThreads() throws Exception {
        Kernel kernel = Kernel.builder().clock(VirtualClock.withAutojumpThreshold(Duration.ofMillis(5))).build();
        try (kernel) {
            kernel.run(() -> {
                for (int i = 0; i < 3; i++) {
                    Workers.runInThread(() -> null);
                }
                Timeouts.ignoreAfter(TICK, () -> Workers.runInThread(() -> {
                    Thread.sleep(60_000);
                    return null;
                }));
                assertTrue(Workers.ledger(Curio.kernel()).threads() >= 1);
                assertEquals(Workers.ledger(Curio.kernel()).threads(),
                        Curio.kernel().ledger().resources().get("worker threads"));
                return null;
            });
            assertFalse(kernel.ledger().isEmpty(), "the abandoned thread is held until the kernel closes");
        }
        assertEquals(new WorkerLedger(0, 0), Workers.ledger(kernel));
        assertTrue(kernel.ledger().isEmpty(), () -> "left: " + kernel.ledger());
        List<String> left = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("curio-worker-")).toList();
        assertEquals(List.of(), left);
    }
}
