package org.curio.sync;

import java.util.Objects;
import java.util.concurrent.ExecutionException;

import org.curio.traps.CancelledException;
import org.curio.traps.WaitQueue;
import org.jspecify.annotations.Nullable;

/**
 * A value or an exception, set once by one task and awaited by others.
 *
 * {@snippet :
 * var answer = new Result<Integer>();
 * Curio.spawn(() -> answer.setValue(compute()));
 * int value = answer.unwrap();                   // suspends until set
 * }
 *
 * <p>A result is set exactly once, with {@link #setValue} or {@link #setException}; setting it again is
 * a bug and throws {@link IllegalStateException}. {@link #unwrap()} returns the value or throws an
 * {@link ExecutionException} whose cause is the exception.
 *
 * <p><b>Cancellation.</b> {@code unwrap} is a cancellation point while the result is not set. A
 * cancelled or timed-out waiter leaves the wait; the result is unaffected.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a {@code Result}: any other caller gets an
 * {@link IllegalStateException}. To hand a result between threads or kernels, use
 * {@link UniversalResult}.
 *
 * @param <T> the type of the value
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/sync.py">curio's Result</a>
 */
public final class Result<T> {
    private final TaskWaiters waiters = new TaskWaiters(WaitQueue.barrier(), "RESULT_WAIT", "Result");
    private boolean set;                                 // owning kernel's tasks only
    private @Nullable T value;
    private @Nullable Throwable exception;

    /** Creates a result that is not set. */
    public Result() {}

    /** {@return whether the result has been set} Never suspends. */
    public boolean isSet() {
        return set;
    }

    /**
     * Sets the value and wakes every waiting task. Never suspends.
     *
     * @param value the value
     * @throws IllegalStateException if the result is set already, or the caller is not a curio task
     */
    public void setValue(T value) {
        Objects.requireNonNull(value, "value");
        complete("Result.setValue", value, null);
    }

    /**
     * Sets an exception, which {@link #unwrap()} reports as the cause of an {@link ExecutionException},
     * and wakes every waiting task. Never suspends.
     *
     * @param exception the failure
     * @throws IllegalStateException if the result is set already, or the caller is not a curio task
     */
    public void setException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        complete("Result.setException", null, exception);
    }

    private void complete(String what, @Nullable T v, @Nullable Throwable e) {
        Checks.inTask(what);
        if (set) {
            throw new IllegalStateException(what + ": the result is set already: " + this);
        }
        set = true;
        value = v;
        exception = e;
        waiters.wakeAll();
    }

    /**
     * Suspends the calling task until the result is set, then returns the value.
     *
     * @return the value
     * @throws ExecutionException    if an exception was set; it is the cause
     * @throws CancelledException    if the task is cancelled or times out while waiting
     * @throws IllegalStateException if the caller is not a curio task
     */
    public T unwrap() throws CancelledException, ExecutionException {
        Checks.inTask("Result.unwrap");
        if (!set) {
            waiters.park();
        }
        if (exception != null) {
            throw new ExecutionException(exception);
        }
        return Objects.requireNonNull(value);
    }

    /** {@return a snapshot of the result's state} Never suspends. */
    public Statistics statistics() {
        return new Statistics(set, exception != null, waiters.size());
    }

    /**
     * A snapshot of a result's state.
     *
     * @param set     whether the result has been set
     * @param failed  whether it was set with an exception
     * @param waiting how many tasks wait for it
     */
    public record Statistics(boolean set, boolean failed, int waiting) {}

    @Override
    public String toString() {
        if (!set) {
            return "Result[unset, waiting=" + waiters.size() + "]";
        }
        return exception != null ? "Result[failed: " + exception + "]" : "Result[value=" + value + "]";
    }
}
