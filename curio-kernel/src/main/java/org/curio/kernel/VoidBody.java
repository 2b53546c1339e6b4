package org.curio.kernel;

import org.curio.traps.CancelledException;

/**
 * A block of task code without a value that may throw {@code X} or be cancelled.
 *
 * @param <X> the checked exception the block may throw ({@code RuntimeException} if none)
 */
@FunctionalInterface
public interface VoidBody<X extends Exception> {
    /**
     * Runs the block.
     *
     * @throws X                  the block's own failure
     * @throws CancelledException if the task is cancelled or times out inside the block
     */
    void run() throws X, CancelledException;

    /** {@return this block as one that returns null} */
    default Body<Void, X> asBody() {
        return () -> {
            run();
            return null;
        };
    }
}
