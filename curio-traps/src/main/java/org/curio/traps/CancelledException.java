package org.curio.traps;

import java.io.Serial;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at a cancellation point of a task that is being cancelled or whose timeout expired.
 *
 * <p>Cancellation is a checked exception on purpose: every method that can suspend a task declares
 * {@code throws CancelledException}, so the compiler marks each place a task can be switched out or
 * cancelled, as {@code await} does in Python. Code that catches it to clean up must rethrow it.
 *
 * {@snippet :
 * try {
 *     queue.put(item);
 * } catch (CancelledException e) {
 *     item.release();
 *     throw e;
 * }
 * }
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/errors.py">curio's CancelledError</a>
 */
public abstract sealed class CancelledException extends Exception
        permits TaskCancelledException, TaskTimeoutException, TimeoutCancellationException {
    @Serial private static final long serialVersionUID = 1L;
    private transient Trap.@Nullable Suspending<?> deliveredAt;      // the trap that threw it, first delivery only

    CancelledException(String message) {
        super(message);
    }

    /**
     * Creates the exception; a cancellation the kernel makes carries no stack trace, because it is made
     * where the cancellation is requested (another task, the timer queue), not where it is delivered.
     */
    CancelledException(@Nullable String message, boolean writableStackTrace) {
        super(message, null, true, writableStackTrace);
    }

    /** Notes the trap this cancellation was thrown from, if none was noted yet; {@link Traps} calls it. */
    final void deliveredAt(Trap.Suspending<?> trap) {
        if (deliveredAt == null) {
            deliveredAt = trap;
        }
    }

    /** {@return the trap this cancellation was thrown from, or null if it was not thrown by a trap} */
    final Trap.@Nullable Suspending<?> deliveredAt() {
        return deliveredAt;
    }

    /**
     * Copies the trap noted on {@code other}, and what it carries as suppressed exceptions (where the
     * task was blocked, which the kernel adds on delivery), for a relabelled copy of the same expiry.
     */
    final void deliveredAtSameTrapAs(CancelledException other) {
        deliveredAt = other.deliveredAt;
        for (Throwable s : other.getSuppressed()) {
            addSuppressed(s);
        }
    }

    /**
     * Describes what a task was doing when a cancellation reached it, for messages: the blocking
     * operation behind the trap, such as {@code "waiting to read fd=7"} or {@code "sleeping"}.
     */
    static String describe(Trap.Suspending<?> trap) {
        return switch (trap) {
            case Trap.Sleep(long deadline) -> deadline == Trap.YIELD_DEADLINE ? "yielding" : "sleeping";
            case Trap.ReadWait(Pollable source) -> "waiting to read " + describe(source);
            case Trap.WriteWait(Pollable source) -> "waiting to write " + describe(source);
            case Trap.FutureWait(var future) -> "waiting for a future completed by another thread ("
                    + future.getClass().getSimpleName() + ")";
            case Trap.SchedWait(WaitQueue queue, String state) -> "waiting in " + state;
        };
    }

    private static String describe(Pollable source) {
        try {
            boolean named = source.getClass().getMethod("toString").getDeclaringClass() != Object.class;
            return named && !source.getClass().isHidden() ? source.toString() : "fd=" + source.fd();
        } catch (NoSuchMethodException | RuntimeException e) {
            return "a file descriptor";
        }
    }
}
