package org.curio.workers;

import java.util.Objects;

import org.curio.kernel.Body;
import org.curio.traps.CancelledException;
import org.curio.traps.Traps;
import org.curio.workers.internal.Bridge;

/**
 * The way back into the kernel from a thread: {@link #await} runs a kernel operation (sleep, queue
 * get, lock, socket read, even another {@code runInThread}) on behalf of the calling thread and blocks
 * the thread until it is done. Curio's {@code AWAIT}.
 *
 * {@snippet :
 * Task<Integer> t = Workers.spawnThread(() -> {
 *     int item = AsyncThread.await(queue::get);                          // a curio queue, from a thread
 *     AsyncThread.await(() -> { Timeouts.sleep(Duration.ofSeconds(1)); return null; });
 *     return item * 2;
 * });
 * int doubled = t.join();
 * }
 *
 * <p>It works on threads started by {@link Workers#spawnThread} and on the threads running
 * {@link Workers#runInThread} calls; there the operation runs in the waiting task.
 *
 * <p><b>Cancellation.</b> A cancel of the task that stands for the thread is thrown by the operation
 * running at the time, or else by the thread's next {@code await}. The thread's wait itself ignores
 * interrupts (the kernel always answers) and keeps the interrupt status for later.
 */
public final class AsyncThread {
    private AsyncThread() {}

    /**
     * Runs {@code operation} in the kernel for the calling thread and returns its result. From a task,
     * simply calls it.
     *
     * @param operation the kernel operation
     * @param <T>       its result type
     * @param <X>       its checked exception
     * @return its result
     * @throws X                     what it threw, unchanged
     * @throws CancelledException    if the task standing for the thread is cancelled
     * @throws IllegalStateException if the caller is a plain thread, not an async or worker thread
     */
    public static <T, X extends Exception> T await(Body<T, X> operation) throws X, CancelledException {
        Objects.requireNonNull(operation, "operation");
        Bridge<?> bridge = Bridge.current();
        if (bridge == null) {
            if (Traps.inTask()) {
                return operation.call();
            }
            throw new IllegalStateException("AsyncThread.await called from " + Thread.currentThread()
                    + ", which is not an async thread: start the thread with Workers.spawnThread, or run the "
                    + "code in Workers.runInThread");
        }
        return bridge.call(operation);
    }

    /** {@return whether the calling thread can use {@link #await}: an async thread or a worker thread} */
    public static boolean isAsyncThread() {
        return Bridge.current() != null;
    }
}
