package org.curio.kernel;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;

/**
 * Curio's task-level functions: run a program, spawn tasks, find the current task, yield, and wait
 * for a future that another thread completes.
 *
 * {@snippet :
 * int sum = Curio.run(() -> {
 *     Task<Integer> a = Curio.spawn(() -> 1);
 *     Task<Integer> b = Curio.spawn(() -> 2);
 *     return a.join() + b.join();
 * });
 * }
 *
 * <p>Every method but {@link #run} must be called from a curio task; called elsewhere it fails with an
 * {@link IllegalStateException}.
 */
public final class Curio {
    private static final Trap.Sleep YIELD = new Trap.Sleep(Trap.YIELD_DEADLINE);

    private Curio() {}

    /**
     * Runs {@code main} in a new kernel with default settings, closes the kernel, and returns the
     * result. Curio: {@code curio.run}.
     *
     * <p>This is the way to run a program: SIGINT (Ctrl-C) and SIGTERM cancel the main task, so every
     * task's cleanup runs exactly once (children through their task groups, daemons when the kernel
     * closes), and then the JVM exits with the status it gives such a signal itself, 130 or 143; a
     * second signal while the program stops ends it at once. It is
     * {@code run(Kernel.builder().stopOnSignals(true), main)}; pass a builder without it to keep
     * signals to yourself.
     *
     * <p>Setting the environment variable {@value Monitor#ENVIRONMENT_VARIABLE} turns on the kernel's
     * {@linkplain Monitor monitor console} (see {@link Monitor#fromEnvironment} for its values), as it
     * does in curio.
     *
     * @param main the main task's body
     * @param <T>  the result type
     * @return the main task's result
     * @throws Exception the main task's failure, unchanged
     */
    public static <T> T run(Callable<? extends T> main) throws Exception {
        return run(Kernel.builder().stopOnSignals(true), main);
    }

    /**
     * Runs {@code main} in a new kernel built from {@code settings}, closes the kernel, and returns
     * the result. If the settings {@linkplain Kernel.Builder#stopOnSignals stop on signals} and a
     * signal stopped the kernel, the JVM exits once the kernel is closed, with status 128 + the
     * signal's number.
     * If the settings ask for no {@linkplain Kernel.Builder#monitor monitor console}, the
     * {@value Monitor#ENVIRONMENT_VARIABLE} environment variable may turn one on; if it cannot listen
     * (the port is taken), the program runs without it and a warning is logged.
     *
     * @param settings the kernel's settings
     * @param main     the main task's body
     * @param <T>      the result type
     * @return the main task's result
     * @throws Exception the main task's failure, unchanged
     */
    public static <T> T run(Kernel.Builder settings, Callable<? extends T> main) throws Exception {
        Objects.requireNonNull(main, "main");
        Kernel kernel = Objects.requireNonNull(settings, "settings").buildForRun();
        try {
            try (kernel) {
                return kernel.run(main);
            }
        } finally {
            int signal = kernel.stopSignal();
            if (signal != 0) {
                System.exit(128 + signal);
            }
        }
    }

    /**
     * Runs {@code main} in a new kernel with default settings and closes the kernel, stopping on
     * SIGINT and SIGTERM as {@link #run(Callable)} does.
     *
     * @param main the main task's body
     * @throws Exception the main task's failure, unchanged
     */
    public static void run(VoidBody<?> main) throws Exception {
        Objects.requireNonNull(main, "main");
        run(main.asBody()::call);
    }

    /**
     * Creates a task that runs {@code body}; it starts at the kernel's next turn. Never suspends.
     *
     * @param body the task's body
     * @param <T>  the result type
     * @return the new task
     */
    public static <T> Task<T> spawn(Callable<? extends T> body) {
        return Traps.call(new Trap.Spawn<T>(Objects.requireNonNull(body, "body"), "", false));
    }

    /**
     * Creates a task that runs {@code body}. Never suspends.
     *
     * @param body the task's body
     * @return the new task
     */
    public static Task<Void> spawn(VoidBody<?> body) {
        return spawn(Objects.requireNonNull(body, "body").asBody()::call);
    }

    /**
     * Creates a named task. Never suspends.
     *
     * @param name the task's name
     * @param body the task's body
     * @param <T>  the result type
     * @return the new task
     */
    public static <T> Task<T> spawn(String name, Callable<? extends T> body) {
        return Traps.call(new Trap.Spawn<T>(Objects.requireNonNull(body, "body"), name, false));
    }

    /**
     * Creates a daemon task: one that runs in the background, is never joined, and is cancelled when
     * its kernel closes. Never suspends.
     *
     * @param body the task's body
     * @return the new task
     */
    public static Task<Void> spawnDaemon(VoidBody<?> body) {
        return spawnDaemon("", Objects.requireNonNull(body, "body").asBody()::call);
    }

    /**
     * Creates a daemon task with a result: it runs in the background and is cancelled when its kernel
     * closes, and whoever holds it may still {@linkplain Task#join() join} it or read its result once
     * it has ended. Never suspends.
     *
     * @param body the task's body
     * @param <T>  the result type
     * @return the new task
     */
    public static <T> Task<T> spawnDaemon(Callable<? extends T> body) {
        return spawnDaemon("", body);
    }

    /**
     * Creates a named daemon task. Never suspends.
     *
     * @param name the task's name, as {@link Task#name()} and traces show it
     * @param body the task's body
     * @return the new task
     */
    public static Task<Void> spawnDaemon(String name, VoidBody<?> body) {
        return spawnDaemon(name, Objects.requireNonNull(body, "body").asBody()::call);
    }

    /**
     * Creates a named daemon task with a result (see {@link #spawnDaemon(Callable)}). Never suspends.
     *
     * @param name the task's name, as {@link Task#name()} and traces show it
     * @param body the task's body
     * @param <T>  the result type
     * @return the new task
     */
    public static <T> Task<T> spawnDaemon(String name, Callable<? extends T> body) {
        return Traps.call(new Trap.Spawn<T>(Objects.requireNonNull(body, "body"),
                Objects.requireNonNull(name, "name"), true));
    }

    /** {@return the calling task} Never suspends. */
    public static Task<?> currentTask() {
        return Traps.call(new Trap.GetCurrent());
    }

    /** {@return the kernel running the calling task} Never suspends. */
    public static Kernel kernel() {
        return Traps.call(new Trap.GetKernel<>(Kernel.class));
    }

    /**
     * Suspends the calling task so that every other ready task runs first (curio's {@code sleep(0)}).
     *
     * @throws CancelledException if the task is cancelled or times out
     */
    public static void schedule() throws CancelledException {
        Traps.call(YIELD);
    }

    /**
     * Suspends the calling task until {@code future} is completed, by any thread, and returns its
     * value. Abandoning the wait (cancellation, timeout) leaves the future alone: cancel it yourself
     * if nobody else needs it.
     *
     * @param future the future
     * @param <T>    the value type
     * @return the future's value
     * @throws ExecutionException    if the future completed exceptionally; the cause is its failure
     * @throws CancellationException if the future was cancelled
     * @throws CancelledException    if the task is cancelled or times out while waiting
     */
    public static <T> T awaitFuture(CompletableFuture<T> future) throws CancelledException, ExecutionException {
        Traps.call(new Trap.FutureWait(Objects.requireNonNull(future, "future")));
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading a completed future", e);
        }
    }
}
