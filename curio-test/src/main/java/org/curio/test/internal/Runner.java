package org.curio.test.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

import org.curio.kernel.Kernel;
import org.curio.kernel.Ledger;
import org.curio.kernel.spi.Activation;
import org.curio.test.Trace;
import org.curio.test.TrialFailure;
import org.curio.traps.Task;
import org.jspecify.annotations.Nullable;

/**
 * Runs a main task on a kernel under a real-time limit, closes the kernel, and checks what it left
 * behind; shared by {@code Trial} and {@code CurioExtension}.
 *
 * <p>The run happens on a platform thread of its own. If it exceeds its limit, the kernel is
 * {@linkplain Kernel#abort aborted}, which ends any run whose tasks still reach traps and yields a
 * dump of every task; a task spinning without traps cannot be stopped, and the failure then shows the
 * stuck thread's stack (the thread is a daemon and is abandoned).
 */
public final class Runner {
    /** How many trace lines a failure message shows. */
    public static final int TRACE_TAIL = 60;
    private static final Duration ABORT_GRACE = Duration.ofSeconds(5);

    private final Kernel kernel;
    private final Trace trace;
    private final Crashes crashes;
    private final Duration timeLimit;
    private final @Nullable Map<Integer, String> descriptorsBefore;
    private final @Nullable Long seed;
    private final Function<Kernel, String> context;

    /** Collects the tasks that crashed without anyone noticing. */
    private static final class Crashes implements Activation {
        private final List<String> crashes = new ArrayList<>();
        private final List<Task<?>> crashed = new ArrayList<>();   // the kernel holds them only weakly
        private @Nullable Throwable first;

        @Override
        public synchronized void crashed(Task<?> task, Throwable failure) {
            crashed.add(task);                                      // so the end of the run can see if it was joined
        }

        @Override
        public synchronized void unjoinedFailure(Task<?> task, Throwable failure) {
            crashes.add(task.name() + ": " + failure);
            if (first == null) {
                first = failure;
            }
        }

        synchronized List<String> list() {
            return List.copyOf(crashes);
        }

        synchronized @Nullable Throwable first() {
            return first;
        }
    }

    private Runner(Kernel kernel, Trace trace, Crashes crashes, Duration timeLimit,
                   @Nullable Map<Integer, String> descriptorsBefore, @Nullable Long seed,
                   Function<Kernel, String> context) {
        this.kernel = kernel;
        this.trace = trace;
        this.crashes = crashes;
        this.timeLimit = timeLimit;
        this.descriptorsBefore = descriptorsBefore;
        this.seed = seed;
        this.context = context;
    }

    /**
     * Prepares a run: notes the open descriptors (if asked), then builds the kernel with a trace, a
     * crash collector and the perturbation seed (if any) attached.
     *
     * @param builder          the kernel's settings so far (backend, clock)
     * @param seed             the perturbation seed, or null for first-come first-served
     * @param timeLimit        real time allowed for the run and the close
     * @param checkDescriptors whether to compare the open descriptors before and after
     * @param context          describes the run for failure messages; read only on failure
     * @return the prepared run
     */
    public static Runner open(Kernel.Builder builder, @Nullable Long seed, Duration timeLimit, boolean checkDescriptors,
                              Function<Kernel, String> context) {
        Map<Integer, String> before = checkDescriptors && Descriptors.available() ? Descriptors.snapshot() : null;
        Trace trace = Trace.create();
        Crashes crashes = new Crashes();
        builder.activation(trace).activation(crashes);
        if (seed != null) {
            builder.perturbSchedule(seed);
        }
        return new Runner(builder.build(), trace, crashes, timeLimit, before, seed, context);
    }

    /** {@return the kernel the run uses} */
    public Kernel kernel() {
        return kernel;
    }

    /** {@return the kernel's trace} */
    public Trace trace() {
        return trace;
    }

    /**
     * Runs {@code main} as the kernel's main task, closes the kernel, and checks it.
     *
     * @param main the main task
     * @param <T>  the result type
     * @return the main task's result
     * @throws TrialFailure if the run failed in any way
     */
    public <T extends @Nullable Object> T run(Callable<? extends T> main) {
        Object[] outcome = new Object[4];                  // result, failure, tasks left, ledger after the run
        Thread worker = Thread.ofPlatform().daemon().name("curio-test").unstarted(() -> {
            try {
                outcome[0] = kernel.run(main);
            } catch (Throwable e) {
                outcome[1] = e;
            }
            try {
                outcome[2] = leftRunning();
                outcome[3] = kernel.ledger();
                kernel.close();
            } catch (Throwable e) {
                if (outcome[1] == null) {
                    outcome[1] = e;
                }
            }
        });
        worker.start();
        boolean finished = join(worker, timeLimit);
        if (!finished) {
            kernel.abort("real-time limit of " + timeLimit + " exceeded");
            if (!join(worker, ABORT_GRACE)) {
                StringBuilder stack = new StringBuilder();
                for (StackTraceElement frame : worker.getStackTrace()) {
                    stack.append("\n    at ").append(frame);
                }
                throw failure("exceeded its real-time limit of " + timeLimit
                        + " with a task that does not reach a trap (thread abandoned); its stack:" + stack, null);
            }
            Throwable aborted = (Throwable) outcome[1];
            throw failure("exceeded its real-time limit of " + timeLimit, aborted);
        }
        List<String> problems = new ArrayList<>();
        Throwable cause = (Throwable) outcome[1];
        if (cause != null) {
            problems.add("failed: " + cause);
        }
        if (outcome[2] instanceof List<?> left && !left.isEmpty()) {
            problems.add("left tasks running when the main task ended: " + left);
        } else if (cause == null && outcome[3] instanceof Ledger held && held.tasks() == 0 && !held.kernelIsEmpty()) {
            // With no task left, nothing accounts for a timer, a descriptor registration or a future
            // wait: something was left behind (a socket never closed, a wait never undone). Closing
            // the kernel would release it silently, so look before closing. (Library resources, such
            // as a warm worker pool, may hold things until the kernel closes; they are checked after.)
            problems.add("left resources in the kernel when the main task ended: " + held);
        }
        List<String> crashed = crashes.list();
        if (!crashed.isEmpty()) {
            problems.add("had tasks that crashed and that nobody joined: " + crashed);
            if (cause == null) {
                cause = crashes.first();
            }
        }
        Ledger ledger = kernel.ledger();
        if (cause == null && !ledger.isEmpty()) {
            problems.add("left resources in the kernel after closing it: " + ledger);
        }
        if (descriptorsBefore != null) {
            String change = Descriptors.changeSince(descriptorsBefore);
            if (!change.isEmpty()) {
                problems.add("leaked file descriptors: " + change);
            }
        }
        if (!problems.isEmpty()) {
            throw failure(String.join("\n  and ", problems), cause);
        }
        @SuppressWarnings("unchecked")
        T result = (T) outcome[0];
        return result;
    }

    private List<String> leftRunning() {
        List<String> left = new ArrayList<>();
        for (Task<?> t : kernel.tasks()) {
            if (!t.isDaemon()) {
                List<StackTraceElement> where = t.where();
                left.add(t.name() + " (" + t.state() + (where.isEmpty() ? "" : " at " + where.getFirst()) + ")");
            }
        }
        return left;
    }

    private TrialFailure failure(String what, @Nullable Throwable cause) {
        return new TrialFailure("run " + what + "\n" + context.apply(kernel) + "\ntrace (" + trace.count() + " events):\n"
                + trace.tail(TRACE_TAIL), cause, trace, seed);
    }

    private static boolean join(Thread worker, Duration limit) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (worker.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    worker.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
