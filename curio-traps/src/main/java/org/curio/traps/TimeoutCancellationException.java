package org.curio.traps;

import java.io.Serial;

/**
 * Thrown in a timeout block that is being left because an <em>enclosing</em> block's deadline
 * expired, not its own. Curio: {@code TimeoutCancellationError}.
 *
 * <p>Its message, made when it is read, names what the task was doing when the timeout reached it.
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
        super(null, false);
        this.clockNanos = clockNanos;
    }

    /**
     * Creates the exception an inner block receives from the {@link TaskTimeoutException} that an
     * enclosing block's deadline produced: the same expiry, relabelled.
     *
     * @param own the expiry as the kernel delivered it
     */
    public TimeoutCancellationException(TaskTimeoutException own) {
        this(own.clockNanos());
        deliveredAtSameTrapAs(own);
        setStackTrace(own.getStackTrace());
    }

    /** {@return the kernel clock, in nanoseconds, when the timeout was delivered} */
    public long clockNanos() {
        return clockNanos;
    }

    @Override
    public String getMessage() {
        Trap.Suspending<?> trap = deliveredAt();
        return "an enclosing timeout expired at kernel clock " + clockNanos + " ns"
                + (trap == null ? "" : " while " + describe(trap));
    }
}
