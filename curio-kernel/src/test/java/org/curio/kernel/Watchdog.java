package org.curio.kernel;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import org.curio.traps.Task;

/**
 * Runs one property try under a real-time limit. jqwik applies no JUnit timeout, so a kernel that
 * hangs would hang the build; instead the work runs on a platform thread of its own, and if it has
 * not finished in time the try fails with the scenario, the trace so far and the stuck thread's
 * stack. The stuck thread (a daemon) and its kernel are abandoned: a kernel that is running cannot
 * be closed from another thread.
 */
final class Watchdog {
    /** The default limit; generous because the build machine is shared, yet far below a hung build. */
    static final Duration LIMIT = Duration.ofSeconds(Long.getLong("curio.watchdog.seconds", 10));

    private Watchdog() {}

    /**
     * Runs {@code work} on a fresh platform thread and waits at most {@code limit} for it.
     *
     * @param limit   real time allowed
     * @param context describes the try (scenario and trace so far), read only on failure
     * @param work    the try
     * @param <T>     the result type
     * @return what {@code work} returned
     * @throws Exception      what {@code work} threw, unchanged
     * @throws AssertionError if {@code work} did not finish in time
     */
    static <T> T run(Duration limit, Supplier<String> context, Callable<T> work) throws Exception {
        Object[] outcome = new Object[2];
        Thread worker = Thread.ofPlatform().daemon().name("watchdog-worker").unstarted(() -> {
            try {
                outcome[0] = work.call();
            } catch (Exception | Error e) {
                outcome[1] = e;
            }
        });
        worker.start();
        worker.join(limit);
        if (worker.isAlive()) {
            StringBuilder stack = new StringBuilder();
            for (StackTraceElement frame : worker.getStackTrace()) {
                stack.append("\n    at ").append(frame);
            }
            throw new AssertionError("try did not finish within " + limit + " of real time (kernel abandoned)\n"
                    + context.get() + "\nworker thread stack:" + stack);
        }
        if (outcome[1] instanceof Exception e) {
            throw e;
        }
        if (outcome[1] instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T result = (T) outcome[0];
        return result;
    }

    /**
     * What a kernel run under the watchdog left behind.
     *
     * @param result        the main task's result
     * @param tasksAfterRun the kernel's live tasks right after {@code run} returned
     * @param ledger        the kernel's ledger after {@code close}
     * @param <T>           the result type
     */
    record Outcome<T>(T result, List<Task<?>> tasksAfterRun, Ledger ledger) {}

    /**
     * Runs {@code main} on {@code kernel}, then closes it, all under the watchdog. A failure of the
     * main task or of {@code close} fails the try with {@code context} in the message.
     *
     * @param kernel  a fresh kernel
     * @param limit   real time allowed for run and close together
     * @param context describes the try, read only on failure
     * @param main    the main task
     * @param <T>     the result type
     * @return the result and what the kernel held after run and after close
     * @throws Exception if the worker thread could not be run
     */
    static <T> Outcome<T> runKernel(Kernel kernel, Duration limit, Supplier<String> context, Callable<T> main)
            throws Exception {
        return run(limit, context, () -> {
            T result;
            List<Task<?>> left;
            try {
                result = kernel.run(main);
                left = kernel.tasks();
            } catch (Exception e) {
                throw new AssertionError("kernel run failed: " + e + "\n" + context.get(), e);
            } finally {
                kernel.close();
            }
            return new Outcome<>(result, left, kernel.ledger());
        });
    }

    /** {@return {@code limit} scaled by the stress multiplier} */
    static Duration scaled(Duration limit) {
        return limit.multipliedBy(Math.max(1, Integer.getInteger("curio.stress", 1)));
    }
}
