package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.curio.kernel.Kernel;
import org.curio.kernel.VirtualClock;
import org.curio.kernel.VoidBody;

/**
 * The test harness of curio-sync: runs a body as the main task of a fresh kernel on a
 * {@link VirtualClock} (on the backend the build selected), checks that the kernel is left empty, and
 * records events for whole-list assertions. A watchdog bounds runs in real time, for jqwik tries and
 * thread tests that JUnit's timeout does not cover.
 */
final class SyncHarness {
    private SyncHarness() {}

    /** Runs {@code main} on a fresh virtual-clock kernel, closes it, and asserts its ledger is empty. */
    static <T> T run(Callable<T> main) throws Exception {
        return run(VirtualClock.create(), main);
    }

    /** Runs {@code main} on a fresh kernel with {@code clock}; asserts the ledger is empty after close. */
    static <T> T run(VirtualClock clock, Callable<T> main) throws Exception {
        Kernel kernel = Kernel.builder().clock(clock).build();
        try {
            return kernel.run(main);
        } finally {
            kernel.close();
            assertTrue(kernel.ledger().isEmpty(), () -> "kernel left " + kernel.ledger());
        }
    }

    /** Runs a void body on a fresh virtual-clock kernel; see {@link #run(Callable)}. */
    static void runVoid(VoidBody<?> main) throws Exception {
        run(main.asBody()::call);
    }

    /** Runs a void body on a fresh kernel with {@code clock}; see {@link #run(VirtualClock, Callable)}. */
    static void runVoid(VirtualClock clock, VoidBody<?> main) throws Exception {
        run(clock, main.asBody()::call);
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

    /** A thread-safe list of events; tests record what happens and assert the whole list. */
    static final class Events {
        private final List<Object> list = Collections.synchronizedList(new ArrayList<>());

        void add(Object event) {
            list.add(event);
        }

        List<Object> list() {
            synchronized (list) {
                return List.copyOf(list);
            }
        }

        void assertEquals(Object... expected) {
            org.junit.jupiter.api.Assertions.assertEquals(Arrays.asList(expected), list());
        }

        @Override
        public String toString() {
            return list().toString();
        }
    }

    /** Asserts that two lists are equal, element by element. */
}
