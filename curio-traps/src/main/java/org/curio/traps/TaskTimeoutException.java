package org.curio.traps;

import java.io.Serial;

/**
 * Thrown in a task whose own timeout block's deadline expired: the innermost block whose deadline
 * passed receives it. Curio: {@code TaskTimeout}.
 */
public final class TaskTimeoutException extends CancelledException {
    @Serial private static final long serialVersionUID = 1L;
    private final long clockNanos;

    /**
     * Creates the exception, without a stack trace: the kernel makes it when the deadline passes, not
     * where it is delivered.
     *
     * @param clockNanos the kernel clock when the timeout was delivered
     */
    public TaskTimeoutException(long clockNanos) {
        super("timeout at kernel clock " + clockNanos + " ns", false);
        this.clockNanos = clockNanos;
    }

    /** {@return the kernel clock, in nanoseconds, when the timeout was delivered} */
    public long clockNanos() {
        return clockNanos;
    }
}
