package org.curio.traps;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A task: a body of sequential code that a kernel runs as a coroutine, switching it out only at
 * {@linkplain Trap.Suspending suspending traps}.
 *
 * <p>Tasks are created by spawning (see {@code org.curio.kernel.Curio#spawn}); this interface is the
 * view every module shares. Accessors never suspend; {@link #join()}, {@link #await()} and
 * {@link #cancel()} are cancellation points.
 *
 * <p><b>Cancellation.</b> {@link #cancel()} delivers a {@link TaskCancelledException} at the
 * target's next (or current) cancellation point and returns only after the target has terminated. A
 * task that never blocks cannot be cancelled. Cancelling a terminated task does nothing and does not
 * mark it cancelled.
 *
 * <p><b>Thread safety.</b> Only tasks of the owning kernel may call the suspending methods; the
 * accessors may be read from any thread, but are exact only from the owning kernel's tasks.
 *
 * @param <T> the type of the task's result
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/task.py">curio's Task</a>
 */
public interface Task<T> {

    /** {@return the task's id, unique within the process and increasing with creation order} */
    long id();

    /** {@return the task's name} */
    String name();

    /** {@return the id of the task that spawned this one, if any} */
    OptionalLong parentId();

    /** {@return whether the task is a daemon, which runs in the background and is never joined} */
    boolean isDaemon();

    /**
     * {@return the task's state in curio's words}: {@code INITIAL}, {@code READY}, {@code RUNNING},
     * {@code TERMINATED}, or what it waits for, such as {@code TIME_SLEEP}, {@code READ_WAIT} or
     * {@code TASK_JOIN}
     */
    String state();

    /** {@return how many times the task has been run by its kernel} */
    long cycles();

    /** {@return whether the task has terminated} */
    boolean isTerminated();

    /** {@return whether cancellation has been requested for the task} */
    boolean isCancelled();

    /**
     * Suspends the calling task until this task terminates, and returns its result.
     *
     * @return the task's result
     * @throws TaskException      if the task failed (or was cancelled); the cause is its failure
     * @throws CancelledException if the calling task is cancelled or times out while waiting
     */
    T join() throws CancelledException;

    /**
     * Suspends the calling task until this task terminates, whatever its outcome. Curio:
     * {@code Task.wait}.
     *
     * @throws CancelledException if the calling task is cancelled or times out while waiting
     */
    void await() throws CancelledException;

    /**
     * Cancels this task with a {@link TaskCancelledException} and suspends the calling task until this
     * task has terminated. Does nothing if it has terminated already.
     *
     * @throws CancelledException if the calling task is cancelled or times out while waiting
     */
    void cancel() throws CancelledException;

    /**
     * Cancels this task with {@code exception} and suspends the calling task until this task has
     * terminated.
     *
     * @param exception what the task receives at its cancellation point: a {@link CancelledException}
     *                  or an unchecked exception
     * @throws CancelledException if the calling task is cancelled or times out while waiting
     */
    void cancel(Exception exception) throws CancelledException;

    /**
     * Requests cancellation with a {@link TaskCancelledException} without waiting for the task to
     * terminate. Never suspends.
     *
     * <p>Unlike the other methods, this one may be called from any thread: from a task of this task's
     * kernel it takes effect at once; from anywhere else (a plain thread, a shutdown hook, a signal
     * handler, a task of another kernel) it is handed to the kernel, which acts on it at its next
     * turn. Does nothing if the task has terminated by then.
     */
    void requestCancel();

    /**
     * Requests cancellation with {@code exception} without waiting. Never suspends. Any thread, as
     * {@link #requestCancel()}.
     *
     * @param exception a {@link CancelledException} or an unchecked exception
     */
    void requestCancel(Exception exception);

    /**
     * Returns the result of a terminated task. Never suspends.
     *
     * @return the result
     * @throws IllegalStateException if the task has not terminated
     * @throws TaskException         if the task failed; the cause is its failure
     */
    T result();

    /**
     * Returns the failure of a terminated task, if it failed. Never suspends.
     *
     * @return the failure, or empty if the task completed normally
     * @throws IllegalStateException if the task has not terminated
     */
    Optional<Throwable> exception();

    /**
     * {@return where the task is suspended (innermost frame first), or an empty list if it is running,
     * ready or terminated}
     */
    List<StackTraceElement> where();
}
