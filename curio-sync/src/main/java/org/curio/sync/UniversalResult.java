package org.curio.sync;

import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

import org.curio.sync.Waits.Waiter;
import org.curio.sync.Waits.WaiterList;
import org.curio.traps.CancelledException;
import org.jspecify.annotations.Nullable;

/**
 * A value or an exception, set once and awaited by curio tasks of any kernel and plain threads, with
 * one API: the same {@link #unwrap()} suspends a task and blocks a thread.
 *
 * {@snippet :
 * var sum = new UniversalResult<Integer>();
 * Thread.ofPlatform().start(() -> sum.setValue(2 + 3));   // a plain thread sets it
 * int five = sum.unwrap();                                 // a task waits: suspends
 * }
 *
 * <p>A result is set exactly once, with {@link #setValue} or {@link #setException}; setting it again
 * throws {@link IllegalStateException}. {@code unwrap} returns the value or throws an
 * {@link ExecutionException} whose cause is the exception.
 *
 * <p><b>Cancellation and interrupts.</b> {@code unwrap} waits only while the result is not set. A
 * waiting task is suspended on a future, so the wait is a cancellation point; a waiting thread blocks,
 * and an interrupt ends its wait with {@link org.curio.traps.TaskCancelledException}, clearing the
 * interrupt status as an {@code InterruptedException} would. The result is unaffected.
 *
 * <p><b>Thread safety.</b> Universal: any task of any kernel and any thread may call any method at
 * the same time.
 *
 * <p><b>Memory consistency.</b> Actions before setting the result happen-before actions after an
 * {@code unwrap()} that returns it or throws its exception.
 *
 * @param <T> the type of the value
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/sync.py">curio's UniversalResult</a>
 */
public final class UniversalResult<T> {
    private final ReentrantLock mutex = new ReentrantLock();
    private final WaiterList waiters = new WaiterList(); // guarded by mutex
    private volatile boolean set;                        // written under mutex, after value/exception
    private @Nullable T value;                           // written once under mutex, before set
    private @Nullable Throwable exception;               // written once under mutex, before set

    /** Creates a result that is not set. */
    public UniversalResult() {}

    /** {@return whether the result has been set} Never waits. */
    public boolean isSet() {
        return set;
    }

    /**
     * Sets the value and wakes every waiter. Never waits.
     *
     * @param value the value
     * @throws IllegalStateException if the result is set already
     */
    public void setValue(T value) {
        Objects.requireNonNull(value, "value");
        complete("UniversalResult.setValue", value, null);
    }

    /**
     * Sets an exception, which {@link #unwrap()} reports as the cause of an {@link ExecutionException},
     * and wakes every waiter. Never waits.
     *
     * @param exception the failure
     * @throws IllegalStateException if the result is set already
     */
    public void setException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        complete("UniversalResult.setException", null, exception);
    }

    private void complete(String what, @Nullable T v, @Nullable Throwable e) {
        Waiter chain;
        mutex.lock();
        try {
            if (set) {
                throw new IllegalStateException(what + ": the result is set already: " + describeLocked());
            }
            value = v;
            exception = e;
            set = true;
            chain = waiters.grant(waiters.size(), null);
        } finally {
            mutex.unlock();
        }
        Waits.complete(chain);
    }

    /**
     * Waits until the result is set, then returns the value: suspends a calling task, blocks a calling
     * thread.
     *
     * @return the value
     * @throws ExecutionException if an exception was set; it is the cause
     * @throws CancelledException if the task is cancelled or times out, or the thread is interrupted,
     *                            while waiting
     */
    public T unwrap() throws CancelledException, ExecutionException {
        if (!set) {
            Waiter w;
            mutex.lock();
            try {
                if (set) {
                    w = null;
                } else {
                    w = new Waiter();
                    waiters.add(w);
                }
            } finally {
                mutex.unlock();
            }
            if (w != null) {
                Waits.awaitOrLeave(w, "UniversalResult.unwrap", mutex, waiters);
            }
        }
        if (exception != null) {
            throw new ExecutionException(exception);
        }
        return Objects.requireNonNull(value);
    }

    /** {@return a consistent snapshot of the result's state} Never waits. */
    public Statistics statistics() {
        mutex.lock();
        try {
            return new Statistics(set, exception != null, waiters.size());
        } finally {
            mutex.unlock();
        }
    }

    /**
     * A snapshot of a universal result's state.
     *
     * @param set     whether the result has been set
     * @param failed  whether it was set with an exception
     * @param waiting how many tasks and threads wait for it
     */
    public record Statistics(boolean set, boolean failed, int waiting) {}

    @Override
    public String toString() {
        mutex.lock();
        try {
            return describeLocked();
        } finally {
            mutex.unlock();
        }
    }

    private String describeLocked() {
        if (!set) {
            return "UniversalResult[unset, waiting=" + waiters.size() + "]";
        }
        return exception != null ? "UniversalResult[failed: " + exception + "]" : "UniversalResult[value=" + value + "]";
    }
}
