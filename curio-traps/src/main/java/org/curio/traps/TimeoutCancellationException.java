package org.curio.traps;

import java.io.Serial;

/**
 * Thrown in a timeout block that is being left because an <em>enclosing</em> block's deadline
 * expired, not its own. Curio: {@code TimeoutCancellationError}.
 */
public final class TimeoutCancellationException extends CancelledException {
    @Serial private static final long serialVersionUID = 1L;
    private final long clockNanos;

    /**
     * Creates the exception, without a stack trace: the kernel makes it when the deadline passes, not
     * where it is delivered.
     *
     * @param clockNanos the kernel clock when the outer timeout was delivered
     */
    public TimeoutCancellationException(long clockNanos) {
        super("outer timeout at kernel clock " + clockNanos + " ns", false);
        this.clockNanos = clockNanos;
    }

    /** {@return the kernel clock, in nanoseconds, when the timeout was delivered} */
    public long clockNanos() {
        return clockNanos;
    }
}
