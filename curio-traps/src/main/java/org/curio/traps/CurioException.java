package org.curio.traps;

import java.io.Serial;

/** The root of curio's unchecked failures. Curio: {@code CurioError}. */
public class CurioException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     */
    public CurioException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public CurioException(String message, Throwable cause) {
        super(message, cause);
    }
}
