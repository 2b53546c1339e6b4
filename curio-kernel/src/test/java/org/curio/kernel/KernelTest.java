package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.curio.kernel.TestSupport.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Serial;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.netty.channel.unix.FileDescriptor;
import org.curio.traps.CancelledException;
import org.curio.traps.Pollable;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The kernel itself: running main tasks, time, starvation, reuse across runs, shutdown, deadlock
 * detection and misuse. Ports curio 1.6's {@code tests/test_kernel.py} (kernel-level tests; the task,
 * timeout and cancellation ones live in {@link TaskTest}, {@link TimeoutTest} and
 * {@link CancellationTest}).
 */
class KernelTest {
    /** A checked failure of the main task. */
    private static final class Boom extends Exception {
        @Serial private static final long serialVersionUID = 1L;
    }

    /** An error (curio's {@code SystemExit}) raised by the main task. */
    private static final class Exit extends Error {
        @Serial private static final long serialVersionUID = 1L;
    }

    private static Kernel newKernel(VirtualClock clock) {
        return Kernel.builder().clock(clock).build();
    }

    private static void closeAndCheck(Kernel kernel) {
        kernel.close();
        assertTrue(kernel.ledger().isEmpty(), () -> "kernel left " + kernel.ledger());
    }

    /** run() returns the main task's result (curio: test_hello). */
    @Test
    void runReturnsTheMainResult() throws Exception {
        assertEquals("hello", Harness.run(() -> "hello"));
    }

    /** run() rethrows the main task's own checked exception, the same instance (test_raise). */
    @Test
    void runRethrowsTheMainFailureUnchanged() {
        Boom boom = new Boom();
        Boom thrown = assertThrows(Boom.class, () -> Harness.run(() -> {
            throw boom;
        }));
        assertSame(boom, thrown);
    }

    /** An unchecked failure of the main task leaves run() as it is (test_task_run_error). */
    @Test
    void runRethrowsUncheckedFailure() {
        assertThrows(NumberFormatException.class, () -> Harness.run(() -> Integer.parseInt("bad")));
    }

    /** An Error raised by the main task leaves run() unchanged (test_kernel_exit). */
    @Test
    void runRethrowsAnError() {
        Exit exit = new Exit();
        assertSame(exit, assertThrows(Exit.class, () -> Harness.runVoid(() -> {
            throw exit;
        })));
    }

    /** Curio.run() runs a main task in a kernel of its own, closes it, and returns the result. */
    @Test
    void curioRunUsesAFreshKernel() throws Exception {
        Kernel[] used = new Kernel[1];
        int result = Curio.run(() -> {
            used[0] = Curio.kernel();
            Curio.spawnDaemon(() -> Timeouts.sleep(Duration.ofHours(1)));
            Timeouts.sleep(Duration.ZERO);
            return 42;
        });
        assertEquals(42, result);
        assertTrue(used[0].isClosed());
        assertTrue(used[0].ledger().isEmpty(), () -> "kernel left " + used[0].ledger());
    }

    /** A sleep takes exactly its duration on the virtual clock (test_sleep). */
    @Test
    void sleepTakesExactlyItsDuration() throws Exception {
        VirtualClock clock = VirtualClock.create();
        var events = new Harness.Events();
        Harness.run(clock, () -> {
            events.add(at("start"));
            Timeouts.sleep(seconds(0.5));
            events.add(at("end"));
            return null;
        });
        events.assertEquals("start@0", "end@0.5");
        assertEquals(seconds(0.5), clock.elapsed());
    }

    /** The kernel clock advances by the time slept, and Timeouts.clock() never suspends (test_clock). */
    @Test
    void clockMeasuresSleep() throws Exception {
        long elapsed = Harness.run(() -> {
            long start = Timeouts.clock();
            Timeouts.sleep(seconds(0.1));
            return Timeouts.clock() - start;
        });
        assertEquals(100_000_000L, elapsed);
    }

    /**
     * A task looping on sleep(0) neither starves tasks waiting for I/O nor escapes cancellation
     * (test_sleep_0_starvation, on two pipes instead of a socket pair).
     */
    @Test
    void sleepZeroLoopDoesNotStarveIo() throws Exception {
        FileDescriptor[] ab = FileDescriptor.pipe();
        FileDescriptor[] ba = FileDescriptor.pipe();
        Pollable abRead = ab[0]::intValue;
        Pollable baRead = ba[0]::intValue;
        var events = new Harness.Events();
        try {
            Harness.runVoid(() -> {
                Task<Void> loop = Curio.spawn(() -> {
                    while (true) {
                        Timeouts.sleep(Duration.ZERO);
                    }
                });
                Curio.schedule();
                Task<Void> io1 = Curio.spawn(() -> {
                    events.add("io1 got " + readByte(ab[0], abRead));
                    writeByte(ba[1], 'y');
                    events.add("io1 got " + readByte(ab[0], abRead));
                });
                Task<Void> io2 = Curio.spawn(() -> {
                    writeByte(ab[1], 'x');
                    events.add("io2 got " + readByte(ba[0], baRead));
                    writeByte(ab[1], 'z');
                });
                io1.join();
                io2.join();
                loop.cancel();
                events.add("loop cancelled " + loop.isCancelled());
                Traps.call(new Trap.IoRelease(abRead));
                Traps.call(new Trap.IoRelease(baRead));
            });
        } finally {
            for (FileDescriptor fd : List.of(ab[0], ab[1], ba[0], ba[1])) {
                fd.close();
            }
        }
        events.assertEquals("io1 got x", "io2 got y", "io1 got z", "loop cancelled true");
    }

    /** Reads one byte, waiting for readability while there is none (curio's try-then-trap pattern). */
    private static char readByte(FileDescriptor fd, Pollable source) throws IOException, CancelledException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1);
        while (true) {
            if (fd.read(buf, 0, 1) == 1) {
                return (char) buf.get(0);
            }
            Traps.call(new Trap.ReadWait(source));
        }
    }

    private static void writeByte(FileDescriptor fd, char c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1).put((byte) c).flip();
        assertEquals(1, fd.write(buf, 0, 1));
    }

    /**
     * Two tasks handing a message back and forth through wait queues do not starve a third task
     * (test_ping_pong_starvation).
     */
    @Test
    void pingPongDoesNotStarveOthers() throws Exception {
        String survived = Harness.run(() -> {
            var q1 = new TestSupport.Mailbox<String>();
            var q2 = new TestSupport.Mailbox<String>();
            q1.put("something");
            Task<Void> pp1 = Curio.spawn(() -> pingPong(q1, q2));
            Task<Void> pp2 = Curio.spawn(() -> pingPong(q2, q1));
            Task<String> survivor = Curio.spawn(() -> {
                for (int i = 0; i < 10; i++) {
                    Curio.schedule();
                }
                return "i survived!";
            });
            String r = survivor.join();
            pp1.cancel();
            pp2.cancel();
            return r;
        });
        assertEquals("i survived!", survived);
    }

    private static void pingPong(TestSupport.Mailbox<String> in, TestSupport.Mailbox<String> out)
            throws CancelledException {
        while (true) {
            out.put(in.get());
        }
    }

    /**
     * Kernel.run() and close() called from inside a task fail clearly, without waiting for the kernel
     * the task runs in, and the task goes on (test_reentrant_kernel).
     */
    @Test
    void runFromInsideATaskFails() throws Exception {
        String message = Harness.run(() -> {
            Kernel kernel = Curio.kernel();
            var e = assertThrows(IllegalStateException.class, () -> kernel.run(() -> "child"));
            var close = assertThrows(IllegalStateException.class, kernel::close);
            assertTrue(close.getMessage().contains("inside a curio task"), close.getMessage());
            Timeouts.sleep(seconds(1));                   // the task and its kernel go on
            return e.getMessage();
        });
        assertTrue(message.contains("inside a curio task"), message);
    }

    /** A closed kernel refuses to run, saying so; closing twice is harmless (test_kernel_no_shutdown). */
    @Test
    void runAfterCloseFails() throws Exception {
        Kernel kernel = newKernel(VirtualClock.create());
        assertEquals(1, kernel.run(() -> 1));
        kernel.close();
        kernel.close();
        assertTrue(kernel.isClosed());
        var e = assertThrows(IllegalStateException.class, () -> kernel.run(() -> 2));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertTrue(kernel.ledger().isEmpty());

        Kernel unused = newKernel(VirtualClock.create());
        closeAndCheck(unused);
        assertThrows(IllegalStateException.class, () -> unused.run(() -> 3));
    }

    /**
     * A kernel runs several main tasks one after another; a daemon left by the first run stays in
     * the kernel and advances only while a later run is in progress, and close() cancels it
     * (test_single_stepping: Java has no run() without a main task).
     */
    @Test
    void kernelIsReusableForSeveralRuns() throws Exception {
        VirtualClock clock = VirtualClock.create();
        var events = new Harness.Events();
        Kernel kernel = newKernel(clock);
        try {
            Task<?> daemon = kernel.run(() -> Curio.spawnDaemon(() -> {
                try {
                    events.add(at("daemon start"));
                    while (true) {
                        Timeouts.sleep(seconds(1));
                        events.add(at("tick"));
                    }
                } catch (CancelledException e) {
                    events.add(at("daemon cancelled"));
                    throw e;
                }
            }));
            assertEquals("READY", daemon.state());
            assertEquals(0, daemon.cycles());
            assertEquals(1, kernel.ledger().tasks());
            events.add("run 1 done");

            kernel.run(() -> {
                Timeouts.sleep(seconds(2.5));
                events.add(at("run 2 done"));
                return null;
            });
            assertEquals("TIME_SLEEP", daemon.state());
            assertEquals(seconds(2.5), clock.elapsed());

            kernel.run(() -> {
                Timeouts.sleep(seconds(1));
                events.add(at("run 3 done"));
                return null;
            });
        } finally {
            closeAndCheck(kernel);
        }
        events.assertEquals("run 1 done", "daemon start@0", "tick@1", "tick@2", "run 2 done@2.5", "tick@3",
                "run 3 done@3.5", "daemon cancelled@3.5");
    }

    /** close() cancels the remaining tasks newest first, waiting for each cleanup before the next. */
    @Test
    void closeCancelsRemainingTasksNewestFirst() throws Exception {
        var events = new Harness.Events();
        Kernel kernel = newKernel(VirtualClock.create());
        try {
            kernel.run(() -> {
                for (String name : List.of("a", "b", "c")) {
                    Curio.spawn(name, () -> {
                        events.add(at(name + " start"));
                        try {
                            Timeouts.sleep(Duration.ofHours(1));
                        } catch (CancelledException e) {
                            events.add(at(name + " cancelled"));
                            Timeouts.sleep(seconds(1));
                            events.add(at(name + " cleaned up"));
                            throw e;
                        }
                        return null;
                    });
                }
                Curio.schedule();
                events.add("main done");
                return null;
            });
            assertEquals(3, kernel.ledger().tasks());
        } finally {
            closeAndCheck(kernel);
        }
        events.assertEquals("a start@0", "b start@0", "c start@0", "main done",
                "c cancelled@0", "c cleaned up@1", "b cancelled@1", "b cleaned up@2",
                "a cancelled@2", "a cleaned up@3");
    }

    /**
     * close() gives up after the shutdown timeout with an error naming the stuck task and what it is
     * blocked in; the abandoned task is all the ledger still holds.
     */
    @Test
    void closeGivesUpAfterShutdownTimeout() throws Exception {
        VirtualClock clock = VirtualClock.create();
        var events = new Harness.Events();
        Kernel kernel = Kernel.builder().clock(clock).shutdownTimeout(Duration.ofSeconds(5)).build();
        kernel.run(() -> {
            Curio.spawn("stubborn", () -> {
                try {
                    Timeouts.sleep(Duration.ofHours(1));
                } catch (CancelledException e) {
                    events.add(at("stubborn cancelled"));
                    Timeouts.sleep(Duration.ofHours(1));        // cleanup that never ends in time
                }
                return null;
            });
            Curio.schedule();
            return null;
        });
        var e = assertThrows(IllegalStateException.class, kernel::close);
        String message = e.getMessage();
        assertTrue(message.contains("gave up after PT5S"), message);
        assertTrue(message.contains("name=stubborn"), message);
        assertTrue(message.contains("[TIME_SLEEP] at "), message);
        assertTrue(message.contains("org.curio.kernel.KernelTest.lambda$closeGivesUpAfterShutdownTimeout"), message);
        assertTrue(kernel.isClosed());
        assertEquals(Duration.ofSeconds(5), clock.elapsed());
        assertEquals(new Ledger(1, 1, 0, 0), kernel.ledger());
        events.assertEquals("stubborn cancelled@0");
        assertThrows(IllegalStateException.class, () -> kernel.run(() -> 1));
    }

    /**
     * When every task is blocked and nothing can wake one, run() fails with a message listing the tasks
     * and where each waits.
     */
    @Test
    void deadlockFailsRunListingTasks() {
        var e = assertThrows(IllegalStateException.class, () -> Harness.runVoid(() -> {
            var never = new TestSupport.Event();
            Task<Object> waiter = Curio.spawn("waiter", () -> {
                never.await();
                return null;
            });
            waiter.join();
        }));
        String message = e.getMessage();
        assertTrue(message.startsWith("deadlock"), message);
        assertTrue(message.contains("name=main"), message);
        assertTrue(message.contains("name=waiter"), message);
        assertTrue(message.contains("[EVENT_WAIT] at "), message);
        assertTrue(message.contains("org.curio.kernel.TestSupport$Event.await("), message);
        assertTrue(message.contains("[TASK_JOIN] at ") && message.contains("org.curio.kernel.KernelTest.lambda$"),
                message);
    }

    /**
     * Every task-only call made from a plain thread fails at once with an IllegalStateException that
     * names the call the program made (not the trap behind it) and how to get a task.
     */
    @Test
    void taskCallsFromAPlainThreadFailNamingTheCall() {
        assertFalse(Traps.inTask());
        String thread = Thread.currentThread().getName();
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("Timeouts.sleep", () -> Timeouts.sleep(seconds(1)));
        calls.put("Timeouts.clock", Timeouts::clock);
        calls.put("Timeouts.after", () -> Timeouts.after(seconds(1), () -> { }));
        calls.put("Curio.spawn", () -> Curio.spawn(() -> 1));
        calls.put("Curio.currentTask", Curio::currentTask);
        calls.put("Curio.schedule", Curio::schedule);
        calls.put("TaskGroup.open", TaskGroup::open);
        calls.put("TaskLocal.get", () -> TaskLocal.withInitial(() -> "x").get());
        calls.put("Cancellation.shield", Cancellation::shield);
        calls.put("Traps.call", () -> Traps.call(new Trap.Sleep(0)));
        Map<String, String> messages = new LinkedHashMap<>();
        calls.forEach((name, call) -> messages.put(name, assertThrows(IllegalStateException.class, call).getMessage()));
        messages.forEach((name, message) -> assertTrue(message.startsWith(name
                + " called outside any curio task (thread " + thread + "); it works only in a task: start the"
                + " program with Curio.run or Kernel.run and call it from there (trap "), name + ": " + message));
        assertTrue(messages.get("Timeouts.sleep").endsWith("(trap Clock)"), messages.get("Timeouts.sleep"));
    }

    /** A task's own methods called from a plain thread name the Task method, not the kernel's class. */
    @Test
    void taskMethodsFromAPlainThreadNameTheTaskMethod() throws Exception {
        Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build();
        try {
            Task<?> daemon = kernel.run(() -> Curio.spawnDaemon(() -> Timeouts.sleep(Duration.ofDays(1))));
            String join = assertThrows(IllegalStateException.class, daemon::join).getMessage();
            String cancel = assertThrows(IllegalStateException.class, daemon::cancel).getMessage();
            assertTrue(join.startsWith("Task.join called outside any curio task (thread "), join);
            assertTrue(cancel.startsWith("Task.cancel called outside any curio task (thread "), cancel);
        } finally {
            kernel.close();
        }
    }

    /**
     * Each debug activation logs what it traces: scheduling, traps, crashes and long runs
     * (test_kernel_debug).
     */
    @Test
    void debugActivationsLog() throws Exception {
        List<String> messages;
        try (var log = TestSupport.LogCapture.on("org.curio.kernel.debug");
             var _ = TestSupport.LogCapture.on("org.curio.kernel")) {
            Kernel kernel = Kernel.builder().clock(VirtualClock.create())
                    .activation(Debug.scheduleTrace(System.Logger.Level.INFO))
                    .activation(Debug.trapTrace(System.Logger.Level.INFO))
                    .activation(Debug.logCrash())
                    .activation(Debug.longBlock(Duration.ZERO))
                    .build();
            try {
                kernel.run(() -> {
                    Curio.spawn("crasher", () -> Integer.parseInt("bad"));
                    Timeouts.sleep(Duration.ZERO);
                    return null;
                });
            } finally {
                closeAndCheck(kernel);
            }
            messages = log.messages();
        }
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("INFO RUN Task(") && m.contains("name=main")),
                messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("INFO SUSPEND Task(")), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("INFO TERMINATED Task(")), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("INFO TRAP Task(") && m.contains("Sleep[")),
                messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("SEVERE task crash: ") && m.contains("crasher")),
                messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("WARNING ") && m.contains("without suspending")),
                messages.toString());
    }
}
