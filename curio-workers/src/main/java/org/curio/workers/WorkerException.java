package org.curio.workers;

import java.io.Serial;

import org.curio.traps.CurioException;
import org.jspecify.annotations.Nullable;

/**
 * A job run in a worker process did not produce a result: it threw (the cause is its exception,
 * carrying the worker's stack trace), its worker died (killed from outside, out of memory,
 * {@code System.exit}), its worker could not start, or its result could not be sent back.
 */
public final class WorkerException extends CurioException {
    @Serial private static final long serialVersionUID = 1L;
    /** The worker process's id, or -1 if it never started. */
    private final long pid;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the worker
     * @param cause   the job's exception with the worker's stack, or null
     * @param pid     the worker process's id, or -1
     */
    public WorkerException(String message, @Nullable Throwable cause, long pid) {
        super(message, cause);
        this.pid = pid;
    }

    /**
     * Creates the exception without a cause.
     *
     * @param message what happened, naming the worker
     * @param pid     the worker process's id, or -1
     */
    public WorkerException(String message, long pid) {
        super(message);
        this.pid = pid;
    }

    /** {@return the worker process's id, or -1 if it never started} */
    public long pid() {
        return pid;
    }
}
