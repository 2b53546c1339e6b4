package org.curio.workers;

import java.io.IOException;
import java.io.NotSerializableException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;

import org.curio.kernel.Body;
import org.curio.kernel.Cancellation;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.workers.internal.Bridge;
import org.curio.workers.internal.ProcessPool;
import org.curio.workers.internal.ProcessWorker;
import org.curio.workers.internal.ThreadPool;
import org.curio.workers.internal.WorkerMain;
import org.curio.workers.internal.WorkerRecording;
import org.jspecify.annotations.Nullable;

/**
 * Runs blocking and CPU-bound work outside the kernel: in a pool of platform threads
 * ({@link #runInThread}, {@link #blockInThread}), in async threads that call back into the kernel
 * ({@link #spawnThread}), and in a pool of worker JVMs ({@link #runInProcess}).
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
    private static final Map<Kernel, ProcessPool> PROCESS_POOLS = Collections.synchronizedMap(new WeakHashMap<>());

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
        return recorded("thread", () -> runInPool(policy, body, hook));
    }

    /** Makes {@code call}, recorded as a worker call of {@code kind} (JFR) while a recording runs. */
    private static <T, X extends Exception> T recorded(String kind, Body<T, X> call) throws X, CancelledException {
        Object record = WorkerRecording.begin();
        if (record == null) {
            return call.call();
        }
        String outcome = "failed";
        try {
            T result = call.call();
            outcome = "returned";
            return result;
        } catch (CancelledException e) {
            outcome = "cancelled";
            throw e;
        } finally {
            WorkerRecording.end(record, kind, outcome);
        }
    }

    private static <T, X extends Exception> T runInPool(CancelPolicy policy, Body<? extends T, X> body,
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
        ProcessPool processes = PROCESS_POOLS.get(kernel);
        return new WorkerLedger(threads == null ? 0 : threads.threads(), processes == null ? 0 : processes.processes());
    }

    /**
     * Runs {@code job} in a worker JVM and suspends the calling task until it has finished. The job is
     * serialized first, in the caller, so a job that captures something not serializable fails at once
     * without reserving a worker. The worker is one of the kernel's pool of worker JVMs (as many as
     * there are processors), started on first use with this JVM's class path and module path and kept
     * for the next job. Curio: {@code run_in_process}.
     *
     * <p><b>Cancellation.</b> A cancel kills the worker (SIGKILL), waits for it to be reaped, and is
     * thrown; the pool starts a new worker when one is next needed.
     *
     * @param job the job; a lambda is serializable when written for this parameter
     * @param <T> its result type, serializable
     * @return its result, deserialized
     * @throws IllegalArgumentException if the job does not serialize; the message names the class
     * @throws WorkerException          if the job threw (the cause is its exception, with the worker's
     *                                  stack), its worker died or could not start, or its result did not
     *                                  serialize
     * @throws CancelledException       if the task is cancelled or times out
     */
    public static <T> T runInProcess(ProcessCallable<T> job) throws CancelledException {
        return process(serialize(Objects.requireNonNull(job, "job")));
    }

    /**
     * Runs the function {@code jobClass} in a worker JVM, as {@link #runInProcess(ProcessCallable)}
     * does: only its name and {@code argument} travel; the worker makes an instance with the public
     * no-argument constructor and applies it to {@code argument}.
     *
     * @param jobClass a public {@code Function} class with a public no-argument constructor
     * @param argument its argument
     * @param <A>      the argument type, serializable
     * @param <T>      the result type, serializable
     * @return the function's result
     * @throws IllegalArgumentException if the class has no public no-argument constructor or the
     *                                  argument does not serialize
     * @throws WorkerException          as for {@link #runInProcess(ProcessCallable)}
     * @throws CancelledException       if the task is cancelled or times out
     */
    public static <A extends java.io.Serializable, T> T runInProcess(Class<? extends Function<A, T>> jobClass,
                                                                      @Nullable A argument) throws CancelledException {
        Objects.requireNonNull(jobClass, "jobClass");
        try {
            jobClass.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("job class " + jobClass.getName()
                    + " has no public no-argument constructor; the worker JVM makes its instance with it", e);
        }
        return process(serialize(new WorkerMain.ByName(jobClass.getName(), argument)));
    }

    /**
     * Starts the calling task's kernel's worker JVMs now rather than on first use, and suspends the task
     * until each is ready.
     *
     * @throws WorkerException    if a worker could not start (the message says why)
     * @throws CancelledException if the task is cancelled or times out; the workers keep starting
     */
    public static void startProcesses() throws CancelledException {
        try {
            Curio.awaitFuture(processPool().prestart());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof WorkerException w ? copy(w) : new WorkerException(e.getMessage(), e, -1);
        }
    }

    /**
     * Sets how many worker JVMs the calling task's kernel may run at once (default: the number of
     * processors). Never suspends.
     *
     * @param limit the limit; positive
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    public static void processLimit(int limit) {
        processPool().permits().limit(limit);
    }

    /**
     * Adds JVM options, such as {@code -Xmx256m}, to worker JVMs that the calling task's kernel starts
     * from now on. Never suspends.
     *
     * @param options the options
     */
    public static void processOptions(List<String> options) {
        processPool().options(options);
    }

    private static byte[] serialize(Object job) {
        try {
            return WorkerMain.serialize(job);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("job cannot be sent to a worker process: " + e.getMessage()
                    + " is not serializable (a job, and everything it captures, must implement Serializable)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("job cannot be sent to a worker process: " + e, e);
        }
    }

    private static <T> T process(byte[] request) throws CancelledException {
        return recorded("process", () -> Workers.<T>processInPool(request));
    }

    private static <T> T processInPool(byte[] request) throws CancelledException {
        ProcessPool pool = processPool();
        pool.permits().acquire();
        ProcessWorker worker;
        try {
            worker = pool.take();
        } catch (RuntimeException e) {
            pool.permits().release();
            throw e;
        }
        CompletableFuture<Object> reply = worker.submit(request);
        try {
            Traps.call(new Trap.FutureWait(reply));
        } catch (CancelledException e) {
            worker.kill();
            awaitReaped(worker);
            pool.permits().release();
            throw e;
        }
        if (reply.state() == Future.State.FAILED) {
            awaitReaped(worker);                         // a dead worker's slot is free once it is reaped
            pool.permits().release();
            throw reply.exceptionNow() instanceof WorkerException w ? copy(w)
                    : new WorkerException("worker failed: " + reply.exceptionNow(), reply.exceptionNow(), worker.pid());
        }
        pool.give(worker);
        pool.permits().release();
        ProcessWorker.Outcome outcome = (ProcessWorker.Outcome) reply.resultNow();
        Throwable thrown = outcome.thrown();
        if (thrown instanceof ProcessWorker.RemoteFailure f) {
            String first = f.getMessage().lines().findFirst().orElse("");
            throw new WorkerException("job in worker process " + worker.pid() + " failed: " + first, f, worker.pid());
        }
        if (thrown != null) {
            throw new WorkerException("job failed in worker process " + worker.pid() + ": " + thrown, thrown,
                    worker.pid());
        }
        @SuppressWarnings("unchecked")
        T value = (T) outcome.value();
        return value;
    }

    /** A copy thrown in the caller's task, so its stack shows the call. */
    private static WorkerException copy(WorkerException w) {
        return new WorkerException(w.getMessage(), w.getCause(), w.pid());
    }

    private static void awaitReaped(ProcessWorker worker) {
        try {
            Cancellation.disable(() -> Traps.call(new Trap.FutureWait(worker.reaped())));
        } catch (CancelledException again) {
            // a second cancel, delivered at the end of the shield: the caller throws the first
        }
    }

    static ProcessPool processPool() {
        Kernel kernel = Curio.kernel();
        return kernel.resource(ProcessPool.class, () -> {
            ProcessPool p = new ProcessPool(List.of());
            PROCESS_POOLS.put(kernel, p);
            return p;
        });
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
