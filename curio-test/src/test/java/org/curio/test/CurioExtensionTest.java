package org.curio.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.IOException;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.kernel.spi.KernelClock;
import org.curio.traps.Pollable;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** {@link CurioTest}: what a test sees, and every way the extension fails a test that misbehaves. */
class CurioExtensionTest {
    /** The test method is the kernel's main task, and the parameters are that kernel, its clock and helpers. */
    @CurioTest
    void runsAsTheMainTaskWithInjectedParameters(Kernel kernel, VirtualClock clock, KernelClock same, Steps steps,
                                                 Trace trace) throws Exception {
        assertSame(kernel, Curio.kernel());
        assertSame(clock, same);
        assertSame(clock, kernel.clock());
        steps.expect(1);
        Task<?> child = Curio.spawn(() -> steps.expect(3));
        steps.expect(2);
        Timeouts.sleep(Duration.ofHours(1));
        child.join();
        steps.finish(4);
        assertEquals(Duration.ofHours(1), clock.elapsed());
        assertTrue(trace.lines().contains("[0.000000] #1 main sleep until 3600.000000"), trace::toString);
    }

    /** Timeouts happen at exact virtual instants, in no real time. */
    @CurioTest
    void timeoutsAreExactOnTheVirtualClock(VirtualClock clock, Steps steps) throws Exception {
        try (TaskGroup<Object> g = TaskGroup.open()) {
            for (int i = 1; i <= 3; i++) {
                int n = i;
                g.spawn(() -> {
                    Timeouts.sleep(Duration.ofSeconds(n));
                    steps.record(n + "@" + clock.elapsed().toSeconds());
                    return null;
                });
            }
            g.join();
        }
        Timeouts.ignoreAfter(Duration.ofMillis(1500), () -> Timeouts.sleep(Duration.ofDays(1)));
        steps.assertEvents("1@1", "2@2", "3@3");
        assertEquals(Duration.ofMillis(4500), clock.elapsed());
    }

    /** With realClock, the kernel runs on the system clock. */
    @CurioTest(realClock = true)
    void realClockOnRequest(Kernel kernel) {
        assertSame(KernelClock.SYSTEM, kernel.clock());
    }

    // ------------------------------------------------------------------ tests that must fail

    /** Test classes run by {@link #failureOf}; surefire skips nested classes. */
    static class Misbehaving {
        @CurioTest
        void leavesATaskRunning() throws Exception {
            Curio.spawn("sleeper", () -> {
                Timeouts.sleep(Duration.ofDays(1));
                return null;
            });
        }

        @CurioTest
        void leavesACrashUnnoticed() throws Exception {
            Curio.spawn(() -> {
                throw new IllegalStateException("boom");
            });
            Timeouts.sleep(Duration.ofSeconds(1));
        }

        @CurioTest
        void leaksDescriptors() throws IOException {
            Pipe.open();                                    // two descriptors, never closed
        }

        /** A pipe opened before the test, so that only the kernel's registration can be left behind. */
        static final io.netty.channel.unix.FileDescriptor[] PIPE = openPipe();

        private static io.netty.channel.unix.FileDescriptor[] openPipe() {
            try {
                io.netty.channel.epoll.Epoll.ensureAvailability();
                return io.netty.channel.unix.FileDescriptor.pipe();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @CurioTest
        void leavesARegistration() throws Exception {
            Pollable reader = PIPE[0]::intValue;
            Timeouts.ignoreAfter(Duration.ofMillis(1), () -> Traps.call(new Trap.ReadWait(reader)));
        }

        @CurioTest(timeLimitSeconds = 1)
        void runsForEver() throws Exception {
            while (true) {
                Timeouts.sleep(Duration.ofSeconds(1));      // virtual seconds, as fast as the CPU allows
            }
        }

        @CurioTest
        void failsAnAssertion() throws Exception {
            Steps steps = new Steps();
            steps.expect(1);
            Timeouts.sleep(Duration.ofSeconds(2));
            steps.expect(3);
        }
    }

    /** Runs one method of {@link Misbehaving} through the JUnit launcher and returns its failure. */
    private static Throwable failureOf(String method) {
        List<Throwable> failures = new ArrayList<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectMethod(Misbehaving.class, method))
                        .filters(EngineFilter.includeEngines("junit-jupiter")).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (id.isTest()) {
                            failures.add(result.getThrowable().orElse(new AssertionError("passed")));
                        }
                    }
                });
        assertEquals(1, failures.size(), "tests run");
        return failures.getFirst();
    }

    /** A non-daemon task still running when the test returns fails the test, naming the task. */
    @org.junit.jupiter.api.Test
    void failsOnATaskLeftRunning() {
        Throwable f = failureOf("leavesATaskRunning");
        assertTrue(f instanceof TrialFailure, f::toString);
        assertTrue(f.getMessage().contains("left tasks running when the main task ended: [sleeper (READY)]"),
                f.getMessage());
    }

    /** A task that crashed and that nobody joined fails the test, with its exception as the cause. */
    @org.junit.jupiter.api.Test
    void failsOnAnUnnoticedCrash() {
        Throwable f = failureOf("leavesACrashUnnoticed");
        assertTrue(f.getMessage().contains("crashed and that nobody joined"), f.getMessage());
        assertEquals("boom", f.getCause().getMessage());
    }

    /** A descriptor registration left in the kernel when the test returns fails it, before closing hides it. */
    @org.junit.jupiter.api.Test
    void failsOnAResourceLeftInTheKernel() {
        Throwable f = failureOf("leavesARegistration");
        assertTrue(f.getMessage().startsWith("run left resources in the kernel when the main task ended: "
                + "Ledger[tasks=0, timers=0, registrations=1, futureWaits=0]"), f.getMessage());
    }

    /** Descriptors opened and not closed fail the test, listing what they are. */
    @org.junit.jupiter.api.Test
    void failsOnLeakedDescriptors() {
        Throwable f = failureOf("leaksDescriptors");
        assertTrue(f.getMessage().contains("leaked file descriptors: open file descriptors went from"), f.getMessage());
        assertTrue(f.getMessage().contains("pipe:["), f.getMessage());
    }

    /** A test over its real-time limit is aborted, with every task and where it is blocked. */
    @org.junit.jupiter.api.Test
    void abortsATestOverItsTimeLimit() {
        Throwable f = failureOf("runsForEver");
        assertTrue(f.getMessage().startsWith("run exceeded its real-time limit of PT1S"), f.getMessage());
        assertTrue(f.getCause().getMessage().contains("kernel aborted"), f.getCause().getMessage());
        assertTrue(f.getMessage().contains("sleep until"), f.getMessage());
    }

    /** An assertion failing in the test is the cause, and the message ends with the trace. */
    @org.junit.jupiter.api.Test
    void showsTheTraceOfAFailedTest() {
        Throwable f = failureOf("failsAnAssertion");
        assertEquals("expected step 2 but reached step 3", f.getCause().getMessage());
        assertTrue(f.getMessage().contains("[0.000000] #1 main sleep until 2.000000\n[2.000000] #1 main ready\n[2.000000] #1 main run"),
                f.getMessage());
    }
}
