package org.curio.workers;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link Subprocess.Builder#run} and {@link Subprocess.Builder#checkOutput} do to the child (and
 * its process group) when the task is cancelled or times out: {@link #kill()} sends SIGKILL at once
 * (the default), {@link #terminateThenKill(Duration)} sends SIGTERM, waits up to a grace period of
 * real time for the child to exit, then sends SIGKILL. Either way the child is reaped before the
 * cancellation leaves. Trio: {@code run_process}'s {@code deliver_cancel}.
 */
public final class CancelDelivery {
    private static final CancelDelivery KILL = new CancelDelivery(Duration.ZERO);
    private final Duration grace;

    private CancelDelivery(Duration grace) {
        this.grace = grace;
    }

    /** {@return SIGKILL at once, the default} */
    public static CancelDelivery kill() {
        return KILL;
    }

    /**
     * {@return SIGTERM, then SIGKILL if the child has not exited after {@code grace}}
     *
     * @param grace how long the child may take to exit after SIGTERM; positive
     */
    public static CancelDelivery terminateThenKill(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative() || grace.isZero()) {
            throw new IllegalArgumentException("grace must be positive: " + grace + "; use kill() for none");
        }
        return new CancelDelivery(grace);
    }

    /** {@return the grace period after SIGTERM; zero for an immediate SIGKILL} */
    public Duration grace() {
        return grace;
    }

    @Override
    public String toString() {
        return grace.isZero() ? "CancelDelivery[kill]" : "CancelDelivery[terminate, " + grace + ", kill]";
    }
}
