package org.curio.traps;

import java.io.Serial;

/**
 * Thrown when a timeout escapes the block it belonged to and reaches an enclosing timeout block
 * whose own deadline has not expired: an inner timeout nobody handled. Curio:
 * {@code UncaughtTimeoutError}.
 */
public final class UncaughtTimeoutException extends CurioException {
    @Serial private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param cause the timeout that escaped
     */
    public UncaughtTimeoutException(CancelledException cause) {
        super("uncaught timeout received: an inner timeout was not handled by its own block", cause);
    }
}
