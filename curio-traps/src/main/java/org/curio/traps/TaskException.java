package org.curio.traps;

import java.io.Serial;

/**
 * Thrown by {@link Task#join()} and result accessors when the task failed; the cause is the task's
 * own failure (which may be a {@link CancelledException} if the task was cancelled). Curio:
 * {@code TaskError}.
 */
public class TaskException extends CurioException {
    @Serial private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param cause   the task's failure
     */
    public TaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
