package org.curio.workers.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

import org.curio.kernel.Body;
import org.curio.kernel.TaskLocal;
import org.curio.traps.CancelledException;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/**
 * The meeting point of one real thread and the task that stands for it: the thread posts kernel
 * operations and finally its outcome; the task runs the operations and reads the outcome. Curio's
 * async thread "backing coroutine", shared by {@code runInThread} and {@code spawnThread}.
 */
public final class Bridge<T> {
    /*
     * Implementation notes. The task waits on `signal`, a future the thread completes whenever it
     * posts something; the task replaces it, under the lock, only when it finds nothing to do, so a
     * post is never missed. A request runs in the task itself, so a cancel that arrives during it is
     * thrown by the operation and reaches the thread through the reply. A cancel that arrives while
     * the task merely waits fails the request the thread has posted meanwhile, if any, or else is
     * kept in `pendingCancel` and thrown by the thread's next request.
     */
    private static final ThreadLocal<Bridge<?>> CURRENT = new ThreadLocal<>();
    /** Depth of requests from pool threads the current task is running: nested calls borrow a permit. */
    private static final TaskLocal<Integer> SERVING = TaskLocal.withInitial(() -> 0);

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Request<?>> requests = new ArrayDeque<>(); // guarded by lock
    private final CompletableFuture<T> outcome = new CompletableFuture<>(); // completed by the thread
    private final boolean pooled;                        // a runInThread thread, whose requests may nest
    private CompletableFuture<Void> signal = new CompletableFuture<>(); // guarded by lock
    private @Nullable CancelledException pendingCancel;  // guarded by lock
    private boolean closed;                              // guarded by lock: the task is gone
    private @Nullable Thread runner;                     // guarded by lock: the thread while it runs the body
    private boolean interruptRequested;                  // guarded by lock: the INTERRUPT policy asked before or during the body

    private record Request<R>(Body<R, ?> body, CompletableFuture<R> reply) {}

    /**
     * Creates a bridge.
     *
     * @param pooled whether the thread is a pool thread holding a permit
     */
    public Bridge(boolean pooled) {
        this.pooled = pooled;
    }

    /** {@return the bridge of the calling thread, or null if it is not a worker or async thread} */
    public static @Nullable Bridge<?> current() {
        return CURRENT.get();
    }

    /** {@return whether the calling task is running a request of a pool thread} */
    public static boolean servingPoolThread() {
        return Traps.inTask() && SERVING.get() > 0;
    }

    /** {@return the thread's outcome, completed when its body has returned or thrown} */
    public CompletableFuture<T> outcome() {
        return outcome;
    }

    /**
     * {@return the thread's result, or throws its failure unchanged} Call once {@link #outcome()} is done.
     *
     * @throws Exception the thread's failure
     */
    public T resultOrThrow() throws Exception {
        if (outcome.state() == java.util.concurrent.Future.State.FAILED) {
            throw Sneaky.<Exception>rethrow(outcome.exceptionNow());
        }
        return outcome.resultNow();
    }

    // ---- thread side ----

    /**
     * Runs {@code body} on the calling thread as this bridge's thread, and posts its outcome.
     *
     * @param body the thread's body
     */
    public void runBody(Body<? extends T, ?> body) {
        lock.lock();
        try {
            runner = Thread.currentThread();
            if (interruptRequested) {                    // interrupted before the body began: it starts interrupted
                runner.interrupt();
            }
        } finally {
            lock.unlock();
        }
        CURRENT.set(this);
        T value = null;
        Throwable failure = null;
        try {
            value = body.call();
        } catch (Exception | Error e) {                  // a thread boundary: every outcome goes to the task
            failure = e;
        } finally {
            CURRENT.remove();
            lock.lock();
            try {
                runner = null;                           // no interrupt is aimed at this thread from now on
            } finally {
                lock.unlock();
            }
        }
        if (failure == null) {
            outcome.complete(value);
        } else {
            outcome.completeExceptionally(failure);
        }
        lock.lock();
        try {
            signal.complete(null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code body} in the task that stands for the calling thread, waiting (uninterruptibly:
     * the task always answers) for its outcome. Called on the bridge's own thread.
     *
     * @param body the kernel operation
     * @param <R>  its result type
     * @param <X>  its checked exception
     * @return its result
     * @throws X                  what the operation threw
     * @throws CancelledException if the task was cancelled, now or before this call
     */
    public <R, X extends Exception> R call(Body<R, X> body) throws X, CancelledException {
        CompletableFuture<R> reply = new CompletableFuture<>();
        lock.lock();
        try {
            if (pendingCancel != null) {
                CancelledException e = pendingCancel;
                pendingCancel = null;
                throw e;
            }
            if (closed) {
                throw new TaskCancelledException("the task waiting for this thread was cancelled and has left it");
            }
            requests.addLast(new Request<>(body, reply));
            signal.complete(null);
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return reply.get();
                } catch (InterruptedException e) {
                    interrupted = true;                  // the task always answers; keep the interrupt for later
                } catch (ExecutionException e) {
                    throw Sneaky.<X>rethrow(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- task side ----

    /** What the serving task does with a cancel that reaches it. */
    public interface OnCancel {
        /**
         * Decides what a cancel means.
         *
         * @param e          the cancel
         * @param deliveredToThread whether the thread already received it, from a request
         * @return true to stop serving at once and throw it; false to keep serving
         */
        boolean cancelled(CancelledException e, boolean deliveredToThread);
    }

    /**
     * Serves the thread's requests until it finishes, in the calling task.
     *
     * @param onCancel what a cancel means
     * @return false if serving stopped because of a cancel (the caller throws it), true when the thread
     *         has finished
     * @throws CancelledException the cancel, if {@code onCancel} says to stop
     */
    public boolean serve(OnCancel onCancel) throws CancelledException {
        while (true) {
            Request<?> request;
            CompletableFuture<Void> wait = null;
            lock.lock();
            try {
                request = requests.pollFirst();
                if (request == null) {
                    if (outcome.isDone()) {
                        return true;
                    }
                    if (signal.isDone()) {
                        signal = new CompletableFuture<>();
                    }
                    wait = signal;
                }
            } finally {
                lock.unlock();
            }
            if (request != null) {
                CancelledException c = runRequest(request);
                if (c != null && onCancel.cancelled(c, true)) {
                    throw c;
                }
                continue;
            }
            try {
                Traps.call(new Trap.FutureWait(wait));
            } catch (CancelledException e) {
                if (onCancel.cancelled(e, false)) {
                    throw e;
                }
            }
        }
    }

    private <R> @Nullable CancelledException runRequest(Request<R> request) {
        if (pooled) {
            SERVING.set(SERVING.get() + 1);
        }
        try {
            request.reply().complete(request.body().call());
            return null;
        } catch (CancelledException e) {
            request.reply().completeExceptionally(e);
            return e;
        } catch (Exception | Error e) {                  // the thread's call gets it, as the task would
            request.reply().completeExceptionally(e);
            return null;
        } finally {
            if (pooled) {
                SERVING.set(SERVING.get() - 1);
            }
        }
    }

    /**
     * Delivers {@code e}, which the task received while it waited, to the thread: the kernel call the
     * thread has posted and is blocked in, if the task has not taken it up yet, throws it; otherwise
     * the thread's next kernel call does (unless a cancel is pending for it already).
     *
     * @param e the cancel
     */
    public void deliverAtNextCall(CancelledException e) {
        Request<?> posted;
        lock.lock();
        try {
            // Discussion: the thread may post a request after the task last looked (and began to
            // wait) but before the cancel came out of that wait. Kept for the next call, the cancel
            // would let this request run to its end, and a thread that makes no further call would
            // never see it at all.
            posted = requests.pollFirst();
            if (posted == null && pendingCancel == null) {
                pendingCancel = e;
            }
        } finally {
            lock.unlock();
        }
        if (posted != null) {
            posted.reply().completeExceptionally(e);
        }
    }

    /**
     * Interrupts the thread if it is running this bridge's body, or makes the body start interrupted if
     * it has not begun; never a later job.
     */
    public void interrupt() {
        lock.lock();
        try {
            interruptRequested = true;
            if (runner != null) {
                runner.interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Leaves the thread: its later kernel calls, and any it has posted, fail with a cancel. */
    public void close() {
        ArrayDeque<Request<?>> left;
        lock.lock();
        try {
            closed = true;
            left = new ArrayDeque<>(requests);
            requests.clear();
        } finally {
            lock.unlock();
        }
        for (Request<?> r : left) {
            r.reply().completeExceptionally(new TaskCancelledException("the task waiting for this thread was cancelled"));
        }
    }
}
