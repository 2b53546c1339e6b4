package org.curio.traps;

import java.io.Serial;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Thrown in a task whose own timeout block's deadline expired: the innermost block whose deadline
 * passed receives it. Curio: {@code TaskTimeout}.
 *
 * <p>Its message names what expired and what the task was doing, such as {@code "timed out after
 * PT5S (Timeouts.after) while waiting to read fd=7"}. The message is made when it is read: the
 * kernel makes the exception when the deadline passes, the trap that threw it notes what the task was
 * blocked in, and the timeout block notes its duration.
 */
public final class TaskTimeoutException extends CancelledException {
    @Serial private static final long serialVersionUID = 1L;
    private final long clockNanos;
    private @Nullable Duration timeout;                  // set by the block whose deadline this is
    private @Nullable String block;                      // that block's API, such as "Timeouts.after"

    /**
     * Creates the exception, without a stack trace: the kernel makes it when the deadline passes, not
     * where it is delivered.
     *
     * @param clockNanos the kernel clock when the timeout was delivered
     */
    public TaskTimeoutException(long clockNanos) {
        super(null, false);
        this.clockNanos = clockNanos;
    }

    /**
     * Creates the exception a block receives for its own deadline from the
     * {@link TimeoutCancellationException} that reached it: the same expiry, relabelled.
     *
     * @param outer the expiry as an inner block saw it
     */
    public TaskTimeoutException(TimeoutCancellationException outer) {
        this(outer.clockNanos());
        deliveredAtSameTrapAs(outer);
        setStackTrace(outer.getStackTrace());
    }

    /** {@return the kernel clock, in nanoseconds, when the timeout was delivered} */
    public long clockNanos() {
        return clockNanos;
    }

    /**
     * Notes which timeout block expired, for the message; the library code that ran the block calls it.
     *
     * @param duration the block's timeout
     * @param api      the call that opened the block, such as {@code "Timeouts.after"}
     * @return this exception
     */
    public TaskTimeoutException expiredBlock(Duration duration, String api) {
        this.timeout = Objects.requireNonNull(duration, "duration");
        this.block = Objects.requireNonNull(api, "api");
        return this;
    }

    /** {@return the timeout of the block that expired, if that block noted it} */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder("timed out");
        if (timeout != null) {
            sb.append(" after ").append(timeout).append(" (").append(block).append(')');
        }
        Trap.Suspending<?> trap = deliveredAt();
        if (trap != null) {
            sb.append(" while ").append(describe(trap));
        }
        if (timeout == null && trap == null) {
            sb.append(" at kernel clock ").append(clockNanos).append(" ns");
        }
        return sb.toString();
    }
}
