package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The kernel module's own test harness (curio-test sits above the kernel, so the kernel cannot use
 * it): runs a body as the main task of a fresh kernel on a {@link VirtualClock}, on the backend the
 * build selected ({@code -Dorg.curio.backend}), and checks that nothing is left behind.
 */
final class Harness {
    private Harness() {}

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

    /** Runs a void body; see {@link #run(Callable)}. */
    static void runVoid(VoidBody<?> main) throws Exception {
        run(main.asBody()::call);
    }

    /** Runs a void body on a kernel with {@code clock}; see {@link #run(VirtualClock, Callable)}. */
    static void runVoid(VirtualClock clock, VoidBody<?> main) throws Exception {
        run(clock, main.asBody()::call);
    }

    /** Seconds as a duration, for readability of ported curio tests. */
    static java.time.Duration seconds(double s) {
        return java.time.Duration.ofNanos(Math.round(s * 1e9));
    }

    /** A thread-safe list of events; tests record what happens and assert the whole list. */
    static final class Events {
        private final List<Object> list = Collections.synchronizedList(new ArrayList<>());

        void add(Object event) {
            list.add(event);
        }

        List<Object> list() {
            return List.copyOf(list);
        }

        void assertEquals(Object... expected) {
            org.junit.jupiter.api.Assertions.assertEquals(List.of(expected), list());
        }
    }

}
