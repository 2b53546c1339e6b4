package org.curio.traps;

import java.io.Serial;

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

    CancelledException(String message) {
        super(message);
    }

    /**
     * Creates the exception; a cancellation the kernel makes carries no stack trace, because it is made
     * where the cancellation is requested (another task, the timer queue), not where it is delivered.
     */
    CancelledException(String message, boolean writableStackTrace) {
        super(message, null, true, writableStackTrace);
    }
}
