package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;

import org.curio.kernel.spi.Activation;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failures are never silent and finished tasks are not kept (RELIABILITY.md R25): every crash is
 * reported when its task ends, whoever waits for it, including crashes in cleanup code after a
 * cancellation and during {@link Kernel#close()}; a crashed task nobody can reach is not retained.
 */
class CrashReportTest {
    /** Records crash reports, as curio-test and monitors see them. */
    private static final class Crashes implements Activation {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void crashed(Task<?> task, Throwable failure) {
            events.add("crashed " + task.name() + " " + failure.getMessage());
        }

        @Override
        public void unjoinedFailure(Task<?> task, Throwable failure) {
            events.add("unjoined " + task.name() + " " + failure.getMessage());
        }
    }

    private static List<String> crashLines(TestSupport.LogCapture log) {
        List<String> lines = new ArrayList<>();
        for (LogRecord r : log.records()) {
            lines.add(r.getLevel() + " " + r.getMessage().replaceAll("\\(id=\\d+, ", "(").replaceAll("Task-\\d+", "Task-N")
                    .replaceAll("\\.java:\\d+\\)", ".java:N)")
                    + " / "
                    + (r.getThrown() == null ? "-" : r.getThrown().getMessage()));
        }
        return lines;
    }

    /** Throws, as broken cleanup code does; a method so that a finally block can call it. */
    private static <T> T breakDown(String message) {
        throw new IllegalStateException(message);
    }

    /** A cancelled task whose cleanup throws: the failure is logged at once and told to activations. */
    @Test
    void failureInCleanupAfterCancelIsReported() throws Exception {
        Crashes crashes = new Crashes();
        List<String> seen = new ArrayList<>();
        try (TestSupport.LogCapture log = TestSupport.LogCapture.on("org.curio.kernel");
             Kernel kernel = Kernel.builder().clock(VirtualClock.create()).activation(crashes).build()) {
            kernel.run(() -> {
                Task<?> worker = Curio.spawn("worker", () -> {
                    try {
                        Timeouts.sleep(seconds(10));
                    } finally {
                        breakDown("cleanup broke");
                    }
                    return null;
                });
                Timeouts.sleep(seconds(1));
                worker.cancel();                           // reads no outcome
                seen.addAll(crashLines(log));              // reported before the run ends
                return null;
            });
            assertEquals(List.of("SEVERE task failed in its cleanup after being cancelled: "
                    + "Task(name=worker)[TERMINATED] at org.curio.kernel.CrashReportTest.breakDown(CrashReportTest.java:N)"
                    + " / cleanup broke"), seen);
            assertEquals(List.of("crashed worker cleanup broke", "unjoined worker cleanup broke"), crashes.events);
        }
    }

    /** A crash in cleanup code that runs while the kernel closes is reported too. */
    @Test
    void failureInCleanupDuringCloseIsReported() throws Exception {
        Crashes crashes = new Crashes();
        try (TestSupport.LogCapture log = TestSupport.LogCapture.on("org.curio.kernel")) {
            try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).activation(crashes).build()) {
                kernel.run(() -> {
                    Curio.spawnDaemon(() -> {
                        try {
                            Timeouts.sleep(seconds(10));
                        } finally {
                            breakDown("daemon cleanup broke");
                        }
                    });
                    Curio.schedule();
                });
                assertEquals(List.of(), crashes.events);
            }
            assertEquals(List.of("SEVERE task failed in its cleanup after being cancelled: "
                    + "Task(name=Task-N)[TERMINATED] at org.curio.kernel.CrashReportTest.breakDown(CrashReportTest.java:N)"
                    + " / daemon cleanup broke"), crashLines(log));
            assertEquals(List.of("crashed Task-N daemon cleanup broke", "unjoined Task-N daemon cleanup broke"),
                    crashes.events.stream().map(e -> e.replaceAll("Task-\\d+", "Task-N")).toList());
        }
    }

    /**
     * A crash is logged when the task ends, not when the run ends, and a joined crash is reported
     * as well (once); joining it keeps it out of the end-of-run report.
     */
    @Test
    void crashIsReportedWhenItHappensWhoeverWaits() throws Exception {
        Crashes crashes = new Crashes();
        List<String> atTwo = new ArrayList<>();
        try (TestSupport.LogCapture log = TestSupport.LogCapture.on("org.curio.kernel");
             Kernel kernel = Kernel.builder().clock(VirtualClock.create()).activation(crashes).build()) {
            kernel.run(() -> {
                Task<?> joined = Curio.spawn("joined", () -> {
                    Timeouts.sleep(seconds(1));
                    return breakDown("first");
                });
                Curio.spawnDaemon(() -> {
                    Timeouts.sleep(seconds(1));
                    throw new IllegalArgumentException("second");
                });
                Timeouts.sleep(seconds(2));
                atTwo.addAll(crashLines(log));
                TaskException e = assertThrows(TaskException.class, joined::join);
                assertEquals("first", e.getCause().getMessage());
                Timeouts.sleep(seconds(8));
                return null;
            });
            assertEquals(2, atTwo.size(), atTwo::toString);
            assertTrue(atTwo.get(0).startsWith("SEVERE task crashed: Task(name=joined)"), atTwo::toString);
            assertTrue(atTwo.get(1).endsWith("/ second"), atTwo::toString);
            assertEquals(2, log.records().size());
            assertEquals("crashed joined first", crashes.events.get(0));
            assertEquals(3, crashes.events.size(), crashes.events::toString);   // second, never joined, at the end
            assertTrue(crashes.events.get(2).startsWith("unjoined Task-"), crashes.events::toString);
        }
    }

    /** Cancellation is not a crash: a cancelled task that ends with its cancellation is not reported. */
    @Test
    void cancellationIsNotACrash() throws Exception {
        Crashes crashes = new Crashes();
        try (TestSupport.LogCapture log = TestSupport.LogCapture.on("org.curio.kernel");
             Kernel kernel = Kernel.builder().clock(VirtualClock.create()).activation(crashes).build()) {
            kernel.run(() -> {
                Task<?> t = Curio.spawn(() -> Timeouts.sleep(seconds(10)));
                Curio.schedule();
                t.cancel();
                return null;
            });
            assertEquals(List.of(), crashes.events);
            assertEquals(List.of(), crashLines(log));
        }
    }

    /**
     * A server that spawns a task per client whose tasks crash keeps none of them: the live-task
     * count stays at the main task, and a crashed task (holding, say, its socket) is collectable at
     * once. Scaled by {@code -Dcurio.stress}; the heap figure is in curio-bench's RESULTS.md.
     */
    @Test
    @Timeout(60)
    @SuppressWarnings("try")
    void crashedDaemonTasksAreNotKept() throws Exception {
        int n = 100_000 * Integer.getInteger("curio.stress", 1);
        List<WeakReference<Object>> sample = new ArrayList<>();
        long[] live = new long[1];
        try (TestSupport.LogCapture quiet = TestSupport.LogCapture.off("org.curio.kernel");
             Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build()) {
            kernel.run(() -> {
                for (int i = 0; i < n; i++) {
                    byte[] connectionState = new byte[1024];
                    Task<?> t = Curio.spawnDaemon(() -> {
                        Curio.schedule();
                        throw new java.io.IOException("connection reset by peer (" + connectionState.length + ")");
                    });
                    if (i % (n / 100) == 0) {
                        sample.add(new WeakReference<>(t));
                        sample.add(new WeakReference<>(connectionState));
                    }
                    if (i % 1000 == 999) {
                        Timeouts.sleep(seconds(0.001));   // let the batch run and crash
                    }
                }
                Timeouts.sleep(seconds(1));
                live[0] = Curio.kernel().ledger().tasks();
                return null;
            });
            assertEquals(1, live[0], "live tasks after the crashes (the main task only)");
            for (int round = 0; round < 20 && sample.stream().anyMatch(r -> r.get() != null); round++) {
                System.gc();
                Thread.sleep(10);
            }
            assertEquals(0, sample.stream().filter(r -> r.get() != null).count(),
                    "crashed tasks or what they held are still reachable");
        }
    }

    /** The cleanup failure of a task cancelled by another task's join timeout is reported, too. */
    @Test
    void joinerGetsTheFailureAndTheLogHasIt() throws Exception {
        try (TestSupport.LogCapture log = TestSupport.LogCapture.on("org.curio.kernel")) {
            Harness.run(() -> {
                Task<?> t = Curio.spawn("child", () -> {
                    Curio.schedule();
                    throw new UnsupportedOperationException("nope");
                });
                assertInstanceOf(UnsupportedOperationException.class,
                        assertThrows(TaskException.class, t::join).getCause());
                return null;
            });
            assertEquals(List.of("SEVERE task crashed: Task(name=child)[TERMINATED] at org.curio.kernel.CrashReportTest"
                    + ".lambda$joinerGetsTheFailureAndTheLogHasIt$1(CrashReportTest.java:N) / nope"), crashLines(log));
        }
    }

    /** The main task's failure is thrown by run, not logged as a crash. */
    @Test
    void mainTaskFailureIsThrownNotLogged() throws Exception {
        try (TestSupport.LogCapture log = TestSupport.LogCapture.on("org.curio.kernel")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Harness.run(() -> {
                throw new IllegalStateException("main");
            }));
            assertEquals("main", e.getMessage());
            assertEquals(List.of(), crashLines(log));
        }
    }

    // ------------------------------------------------------------------ the swallowed cancellation

    /**
     * A task that catches its cancellation and blocks again with nothing to end the wait gets one
     * warning naming it and where; whoever called cancel() would otherwise wait silently.
     */
    @Test
    void swallowedCancellationIsWarnedOnce() throws Exception {
        List<String> warnings = new ArrayList<>();
        try (TestSupport.LogCapture log = TestSupport.LogCapture.on("org.curio.kernel")) {
            Harness.run(() -> {
                TestSupport.Event go = new TestSupport.Event();
                Task<?> stubborn = Curio.spawn("stubborn", () -> {
                    for (int caught = 0; caught < 3; caught++) {
                        try {
                            go.await();
                            return null;
                        } catch (TaskCancelledException e) {
                            // dropped: the mistake being diagnosed
                        }
                    }
                    return null;
                });
                Curio.schedule();
                stubborn.requestCancel();
                Timeouts.sleep(seconds(1));
                log.records().forEach(r -> warnings.add(r.getLevel() + " " + r.getMessage()));
                go.set();
                stubborn.join();
                return null;
            });
        }
        assertEquals(1, warnings.size(), warnings::toString);
        String w = warnings.getFirst();
        assertTrue(w.startsWith("WARNING Task(id="), w);
        assertTrue(w.contains("name=stubborn"), w);
        assertTrue(w.contains("blocks again in SchedWait with no timeout, at TestSupport$Event.await, called from "
                + "org.curio.kernel.CrashReportTest"), w);
        assertTrue(w.contains("caught and dropped"), w);
    }

    /** Cleanup that blocks with a timeout of its own, or shielded, is what curio expects: no warning. */
    @Test
    @SuppressWarnings("try")
    void cleanupWithTimeoutOrShieldIsNotWarned() throws Exception {
        try (TestSupport.LogCapture log = TestSupport.LogCapture.on("org.curio.kernel")) {
            Harness.run(() -> {
                TestSupport.Event never = new TestSupport.Event();
                Task<?> timed = Curio.spawn(() -> {
                    try {
                        never.await();
                    } finally {
                        Timeouts.ignoreAfter(seconds(1), () -> {
                            never.await();
                            return null;
                        });
                    }
                    return null;
                });
                Task<?> shielded = Curio.spawn(() -> {
                    try {
                        never.await();
                    } finally {
                        try (Cancellation.Shield s = Cancellation.shield()) {
                            Timeouts.sleep(seconds(1));
                        }
                    }
                    return null;
                });
                Curio.schedule();
                timed.cancel();
                shielded.cancel();
                return null;
            });
            assertEquals(List.of(), log.messages());
        }
    }

    // ------------------------------------------------------------------ stopping from outside

    /**
     * {@link Kernel#shutdown()} from another thread cancels the main task: its cleanup and its
     * children's run once, run throws what the main task did, and close cancels the daemon.
     */
    @Test
    void shutdownFromAnotherThreadRunsEveryCleanupOnce() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> never = new CompletableFuture<>();
        Kernel kernel = Kernel.create();
        Thread stopper = Thread.ofPlatform().start(() -> {
            try {
                if (started.await(10, TimeUnit.SECONDS)) {
                    events.add("shutdown " + kernel.shutdown());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (kernel) {
            assertThrows(TaskCancelledException.class, () -> kernel.run(() -> {
                Curio.spawnDaemon(() -> {
                    try {
                        Curio.awaitFuture(never);
                    } finally {
                        events.add("daemon cleanup");
                    }
                });
                try (TaskGroup<Object> g = TaskGroup.open()) {
                    g.spawn(() -> {
                        try {
                            return Curio.awaitFuture(never);
                        } finally {
                            events.add("child cleanup");
                        }
                    });
                    Curio.schedule();
                    started.countDown();
                    try {
                        g.join();
                    } finally {
                        events.add("main cleanup");
                    }
                }
                return null;
            }));
            events.add("run ended");
        }
        events.add("closed");
        stopper.join();
        assertEquals(List.of("shutdown true", "child cleanup", "main cleanup", "run ended", "daemon cleanup",
                "closed"), events);
        assertEquals(false, kernel.shutdown(), "no run in progress");
    }

    /** requestCancel works from a plain thread: the kernel acts on it at its next turn. */
    @Test
    void requestCancelFromAPlainThread() throws Exception {
        CompletableFuture<Task<?>> published = new CompletableFuture<>();
        Thread canceller = Thread.ofPlatform().start(() -> published.join().requestCancel());
        String outcome = Curio.run(Kernel.builder(), () -> {
            Task<String> t = Curio.spawn(() -> {
                try {
                    Curio.awaitFuture(new CompletableFuture<>());
                    return "not cancelled";
                } catch (TaskCancelledException e) {
                    return "cancelled";
                }
            });
            published.complete(t);
            return t.join();
        });
        canceller.join();
        assertEquals("cancelled", outcome);
    }

    // ------------------------------------------------------------------ one kernel per task

    /**
     * Joining, waiting on or waking another kernel's task or wait queue fails at once with a clear
     * error, whether the foreign task is still running or has ended; nothing blocks, and no kernel
     * ever resumes a task it does not own.
     */
    @Test
    void trapsNamingAnotherKernelsTaskOrQueueAreRefused() throws Exception {
        CompletableFuture<Task<?>> foreign = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        TestSupport.Event[] foreignEvent = new TestSupport.Event[1];
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                Curio.run(Kernel.builder(), () -> {
                    foreignEvent[0] = new TestSupport.Event();
                    Task<?> waiter = Curio.spawn(() -> foreignEvent[0].await());
                    Curio.schedule();
                    foreign.complete(waiter);
                    Curio.awaitFuture(release);
                    foreignEvent[0].set();
                    waiter.join();
                    return null;
                });
            } catch (Exception e) {
                foreign.completeExceptionally(e);
            }
        });
        List<String> refused = new ArrayList<>();
        Harness.run(() -> {
            Task<?> task = Curio.awaitFuture(foreign);
            refused.add(assertThrows(IllegalArgumentException.class, task::join).getMessage());
            refused.add(assertThrows(IllegalArgumentException.class, task::cancel).getMessage());
            refused.add(assertThrows(IllegalArgumentException.class, foreignEvent[0]::await).getMessage());
            refused.add(assertThrows(IllegalArgumentException.class, foreignEvent[0]::set).getMessage());
            release.complete(null);
            return null;
        });
        other.join(10_000);
        assertEquals(4, refused.size());
        assertTrue(refused.get(0).contains("belongs to another kernel than the calling"), refused::toString);
        assertTrue(refused.get(1).contains("belongs to another kernel"), refused::toString);
        assertTrue(refused.get(2).startsWith("WaitQueue.barrier[waiting=1] belongs to Kernel["), refused::toString);
        assertTrue(refused.get(3).contains("use a universal primitive to cross kernels"), refused::toString);
        // Ended: still refused, not silently answered.
        Task<?> ended = foreign.join();
        assertTrue(ended.isTerminated());
        Harness.run(() -> {
            assertThrows(IllegalArgumentException.class, ended::join);
            return null;
        });
    }

    /** The scheduler's own check: a waiter of another kernel planted on a queue is never resumed here. */
    @Test
    void wakeUpOfAForeignTaskIsRefusedByTheScheduler() throws Exception {
        CompletableFuture<Task<?>> foreign = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                Curio.run(Kernel.builder(), () -> {
                    Task<?> sleeper = Curio.spawn(() -> Curio.awaitFuture(release));
                    foreign.complete(sleeper);
                    sleeper.join();
                    return null;
                });
            } catch (Exception e) {
                foreign.completeExceptionally(e);
            }
        });
        @Nullable String[] message = new String[1];
        Harness.run(() -> {
            Task<?> task = Curio.awaitFuture(foreign);
            org.curio.traps.WaitQueue q = org.curio.traps.WaitQueue.fifo();
            org.curio.traps.spi.WaitQueues.park(q, task, Curio.kernel());   // planted past the queue's check
            message[0] = assertThrows(IllegalArgumentException.class,
                    () -> org.curio.traps.Traps.call(new org.curio.traps.Trap.SchedWake(q, 1))).getMessage();
            release.complete(null);
            return null;
        });
        other.join(10_000);
        assertTrue(message[0].contains("belongs to another kernel than"), message[0]);
        assertSame(Thread.State.TERMINATED, other.getState());
    }
}
