package org.curio.traps;

import java.io.Serial;

/** Thrown in a task cancelled directly, by {@link Task#cancel()}. Curio: {@code TaskCancelled}. */
public final class TaskCancelledException extends CancelledException {
    @Serial private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with the default message and, as for every cancellation the kernel makes,
     * no stack trace: it would show where the cancellation was requested, not where it was delivered.
     */
    public TaskCancelledException() {
        super("task cancelled", false);
    }

    /**
     * Creates the exception with a message.
     *
     * @param message why the task is cancelled
     */
    public TaskCancelledException(String message) {
        super(message);
    }
}
