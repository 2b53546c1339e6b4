package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.curio.kernel.Kernel;
import org.curio.kernel.VirtualClock;
import org.curio.kernel.VoidBody;

/**
 * What curio-sync's tests need beyond curio-test's {@code @CurioTest} and {@code Trial}: a kernel run
 * for tests whose body also runs outside it (threads running kernels of their own), and a real-time
 * watchdog for thread tests that JUnit's timeout does not cover.
 */
final class SyncHarness {
    private SyncHarness() {}

    /** Runs a void body as the main task of a fresh virtual-clock kernel, closes it, and checks its ledger is empty. */
    static void runVoid(VoidBody<?> main) throws Exception {
        run(Kernel.builder().clock(VirtualClock.create()), main.asBody()::call);
    }

    /** Runs a void body as the main task of a fresh kernel on {@code clock}, closes it, and checks its ledger is empty. */
    static void runVoid(VirtualClock clock, VoidBody<?> main) throws Exception {
        run(Kernel.builder().clock(clock), main.asBody()::call);
    }

    private static <T> T run(Kernel.Builder builder, Callable<T> main) throws Exception {
        Kernel kernel = builder.build();
        try {
            return kernel.run(main);
        } finally {
            kernel.close();
            assertTrue(kernel.ledger().isEmpty(), () -> "kernel left " + kernel.ledger());
        }
    }

    /** {@return seconds as a duration, for ported curio tests} */
    static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    /**
     * Runs {@code body} on a thread of its own and waits for it at most {@code limit} of real time;
     * fails with the body's stack and {@code details} if it takes longer (the thread is left behind, as
     * a daemon).
     */
    static <T> T withWatchdog(Duration limit, Supplier<String> details, Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().daemon().name("watched-test").start(() -> {
            try {
                result.set(body.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        runner.join(limit);
        if (runner.isAlive()) {
            StringBuilder sb = new StringBuilder("watchdog: still running after " + limit + "\n" + details.get()
                    + "\nrunner stack:");
            for (StackTraceElement e : runner.getStackTrace()) {
                sb.append("\n  at ").append(e);
            }
            fail(sb.toString());
        }
        Throwable e = failure.get();
        if (e instanceof Exception ex) {
            throw ex;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return result.get();
    }

    /** {@return the multiplier of stress figures: 1 in CI, larger for soak runs} */
    static int stress() {
        return Math.max(1, Integer.getInteger("curio.stress", 1));
    }
}
