package org.curio.kernel;

import org.curio.traps.CancelledException;

/**
 * A block of task code that returns a value and may throw {@code X} or be cancelled; the argument
 * of {@link Timeouts#after(java.time.Duration, Body)} and friends, which rethrow {@code X} unchanged.
 *
 * @param <T> the type of the value
 * @param <X> the checked exception the block may throw ({@code RuntimeException} if none)
 */
@FunctionalInterface
public interface Body<T, X extends Exception> {
    /**
     * Runs the block.
     *
     * @return its value
     * @throws X                  the block's own failure
     * @throws CancelledException if the task is cancelled or times out inside the block
     */
    T call() throws X, CancelledException;
}
