package org.curio.workers;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.curio.kernel.Body;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.workers.internal.Bridge;
import org.curio.workers.internal.ThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * Runs blocking and CPU-bound work outside the kernel: in a pool of platform threads
 * ({@link #runInThread}, {@link #blockInThread}), in async threads that call back into the kernel
 * ({@link #spawnThread}), and in a pool of worker JVMs ({@code runInProcess}).
 *
 * {@snippet :
 * String page = Workers.runInThread(() -> legacyClient.fetch(url));     // blocking library call
 * long primes = Workers.runInProcess(() -> Primes.count(50_000_000));   // CPU-bound, another JVM
 * }
 *
 * <p>Each kernel has its own pools, made on first use and closed with the kernel: {@link Kernel#close()}
 * leaves no worker thread or process ({@link #ledger(Kernel)} counts them).
 *
 * <p><b>Cancellation.</b> Every method here is a cancel point while it waits for a pool slot and while
 * the work runs. A thread cannot be stopped from outside, so {@link CancelPolicy} says what a cancel
 * does to a thread; a worker process is killed.
 *
 * <p><b>Thread safety.</b> Call these methods from a kernel's tasks; {@link AsyncThread#await} is the
 * way back in from a thread.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/workers.py">curio's workers</a>
 */
public final class Workers {
    private static final Map<Kernel, ThreadPool> THREAD_POOLS = Collections.synchronizedMap(new WeakHashMap<>());

    private Workers() {}

    /**
     * Runs {@code body} on a pool thread and suspends the calling task until it has finished; a
     * cancel abandons the thread (curio's policy, {@link CancelPolicy#ABANDON}). Curio:
     * {@code run_in_thread}.
     *
     * @param body the blocking call
     * @param <T>  its result type
     * @param <X>  its checked exception
     * @return its result
     * @throws X                  what {@code body} threw, unchanged
     * @throws CancelledException if the task is cancelled or times out while it waits for a thread or
     *                            for the call
     */
    public static <T, X extends Exception> T runInThread(Body<? extends T, X> body) throws X, CancelledException {
        return run(CancelPolicy.ABANDON, body, null);
    }

    /**
     * Runs {@code body} on a pool thread as {@link #runInThread(Body)} does, with the given cancel policy.
     *
     * @param policy what a cancel does to the thread
     * @param body   the blocking call
     * @param <T>    its result type
     * @param <X>    its checked exception
     * @return its result
     * @throws X                  what {@code body} threw, unchanged
     * @throws CancelledException if the task is cancelled or times out; with {@link CancelPolicy#WAIT}
     *                            and {@link CancelPolicy#INTERRUPT} only once the thread has finished
     */
    public static <T, X extends Exception> T runInThread(CancelPolicy policy, Body<? extends T, X> body)
            throws X, CancelledException {
        return run(Objects.requireNonNull(policy, "policy"), body, null);
    }

    /**
     * Runs {@code body} on a pool thread, abandoning it on a cancel as {@link #runInThread(Body)} does,
     * and hands the abandoned call's late outcome to {@code onLateResult}, on the worker thread (or in
     * the task, if the call finished just as the task was cancelled). Curio: {@code call_on_cancel}.
     * The hook is not called when the task gets the result itself.
     *
     * @param body         the blocking call
     * @param onLateResult receives the completed future of an abandoned call, to release what it made
     * @param <T>          its result type
     * @param <X>          its checked exception
     * @return its result
     * @throws X                  what {@code body} threw, unchanged
     * @throws CancelledException if the task is cancelled or times out
     */
    public static <T, X extends Exception> T runInThread(Body<? extends T, X> body,
                                                         Consumer<? super Future<T>> onLateResult)
            throws X, CancelledException {
        return run(CancelPolicy.ABANDON, body, Objects.requireNonNull(onLateResult, "onLateResult"));
    }

    private static <T, X extends Exception> T run(CancelPolicy policy, Body<? extends T, X> body,
                                                  @Nullable Consumer<? super Future<T>> hook)
            throws X, CancelledException {
        Objects.requireNonNull(body, "body");
        ThreadPool pool = threadPool();
        // Discussion: a call made while this task serves a pool thread's kernel request (thread ->
        // kernel -> thread) borrows that thread's permit, as the thread is blocked until it returns;
        // taking a new one could wait for a permit the blocked thread holds, and deadlock the pool.
        boolean borrowed = Bridge.servingPoolThread();
        if (!borrowed) {
            pool.permits().acquire();
        }
        Runnable afterwards = borrowed ? () -> { } : pool.permits()::release;
        Bridge<T> bridge = new Bridge<>(true);
        try {
            pool.execute(() -> bridge.runBody(body), afterwards);
        } catch (RuntimeException e) {
            afterwards.run();
            throw e;
        }
        CancelledException[] cancel = new CancelledException[1];
        bridge.serve((e, delivered) -> {
            if (policy == CancelPolicy.ABANDON) {
                bridge.close();
                if (hook != null) {
                    bridge.outcome().whenComplete((v, t) -> Hooks.run(hook, bridge.outcome()));
                }
                return true;
            }
            if (cancel[0] == null) {
                cancel[0] = e;
            } else if (cancel[0] != e) {
                cancel[0].addSuppressed(e);
            }
            if (!delivered) {
                bridge.deliverAtNextCall(e);
            }
            if (policy == CancelPolicy.INTERRUPT) {
                bridge.interrupt();
            }
            return false;
        });
        if (cancel[0] != null) {
            throw cancel[0];
        }
        return Hooks.<T, X>result(bridge);
    }

    /**
     * Runs {@code body} on a pool thread, letting at most one thread block on the same {@code body} at
     * a time: many tasks waiting on one foreign lock, queue or event share one worker, and the rest
     * wait in the kernel. Bodies are the same when they are {@linkplain Object#equals equal}, so pass
     * the same instance (a field), not a new lambda per call. A cancel abandons the thread, as in
     * {@link #runInThread(Body)}. Curio: {@code block_in_thread}.
     *
     * @param body the call that blocks for an unknown time
     * @param <T>  its result type
     * @param <X>  its checked exception
     * @return its result
     * @throws X                  what {@code body} threw, unchanged
     * @throws CancelledException if the task is cancelled or times out
     */
    public static <T, X extends Exception> T blockInThread(Body<? extends T, X> body) throws X, CancelledException {
        Objects.requireNonNull(body, "body");
        ThreadPool pool = threadPool();
        ThreadPool.Gate gate = pool.gate(body);
        try {
            gate.semaphore.acquire();
            try {
                return runInThread(body);
            } finally {
                gate.semaphore.release();
            }
        } finally {
            pool.leave(body, gate);
        }
    }

    /**
     * Starts an async thread: a real platform thread that runs {@code body} and may call any kernel
     * operation through {@link AsyncThread#await}. It is represented by the returned task, which
     * {@link Task#join() joins}, {@link Task#cancel() cancels} and goes into a
     * {@link org.curio.kernel.TaskGroup} like any task. A cancel reaches the thread at its next kernel
     * call, which throws it (or inside the kernel operation it is making at the time); a thread that
     * never calls the kernel again runs to its end, and the task ends as the thread does. Never
     * suspends. Curio: {@code spawn_thread}.
     *
     * @param body the thread's code
     * @param <T>  its result type
     * @return the task that stands for the thread
     */
    public static <T> Task<T> spawnThread(Body<? extends T, ?> body) {
        Objects.requireNonNull(body, "body");
        ThreadPool pool = threadPool();
        Bridge<T> bridge = new Bridge<>(false);
        Task<T> task = Curio.spawn(() -> {
            bridge.serve((e, delivered) -> {
                if (!delivered) {
                    bridge.deliverAtNextCall(e);
                }
                return false;
            });
            return bridge.resultOrThrow();
        });
        pool.startThread("curio-async-thread-" + task.id(), () -> bridge.runBody(body));
        return task;
    }

    /**
     * Sets how many calls of {@link #runInThread} may run at once in the calling task's kernel (default
     * 64). Calls waiting for a slot start when the new limit lets them; a lower limit takes effect as
     * running calls finish. Never suspends.
     *
     * @param limit the limit; positive
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    public static void threadLimit(int limit) {
        threadPool().permits().limit(limit);
    }

    /**
     * {@return what {@code kernel}'s worker pools hold now} Zero for a kernel that never used them and
     * for a closed kernel. Callable from any thread.
     *
     * @param kernel the kernel
     */
    public static WorkerLedger ledger(Kernel kernel) {
        Objects.requireNonNull(kernel, "kernel");
        ThreadPool threads = THREAD_POOLS.get(kernel);
        return new WorkerLedger(threads == null ? 0 : threads.threads(), 0);
    }

    static ThreadPool threadPool() {
        Kernel kernel = Curio.kernel();
        return kernel.resource(ThreadPool.class, () -> {
            ThreadPool p = new ThreadPool();
            THREAD_POOLS.put(kernel, p);
            return p;
        });
    }
}
