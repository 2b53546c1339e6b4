package org.curio.traps;

import java.io.Serial;

/** Thrown in a task cancelled directly, by {@link Task#cancel()}. Curio: {@code TaskCancelled}. */
public final class TaskCancelledException extends CancelledException {
    @Serial private static final long serialVersionUID = 1L;

    /** Creates the exception with the default message. */
    public TaskCancelledException() {
        super("task cancelled");
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
