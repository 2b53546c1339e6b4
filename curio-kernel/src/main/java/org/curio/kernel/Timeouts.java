package org.curio.kernel;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.curio.kernel.internal.KernelTask;
import org.curio.traps.CancelledException;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.TimeoutCancellationException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.UncaughtTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Sleeping, the kernel clock, and timeout blocks with curio's nesting rules.
 *
 * {@snippet :
 * String reply = Timeouts.after(Duration.ofSeconds(5), () -> stream.readLine());
 * Optional<Item> item = Timeouts.ignoreAfter(Duration.ofMillis(100), () -> queue.get());
 * }
 *
 * <p><b>Nesting.</b> Timeout blocks nest. When a deadline expires, the task is cancelled at its next
 * cancellation point and the exception travels outwards. The block whose own deadline expired (the
 * outermost one, if several have) receives {@link TaskTimeoutException}; blocks inside it see
 * {@link TimeoutCancellationException}, so code can tell "my time ran out" from "someone else's did".
 * A timeout that escapes its own block unhandled and reaches an enclosing block whose deadline has
 * not expired becomes {@link UncaughtTimeoutException}. A timeout never fires after its block has
 * been left.
 *
 * <p><b>Overrun.</b> A block that finishes without blocking after its deadline has passed (it never
 * reached a cancellation point) completes normally; the overrun is logged as a warning.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/time.py">curio/time.py</a>
 */
public final class Timeouts {
    private static final System.Logger LOG = System.getLogger("org.curio.kernel.Timeouts");

    private Timeouts() {}

    /**
     * Suspends the calling task for {@code duration} on the kernel clock; zero or negative yields to
     * other ready tasks (see {@link Curio#schedule()}).
     *
     * @param duration how long to sleep
     * @throws CancelledException if the task is cancelled or times out while sleeping
     */
    public static void sleep(Duration duration) throws CancelledException {
        Traps.call(new Trap.Sleep(deadline(duration)));
    }

    /** {@return the kernel clock in nanoseconds} Never suspends. */
    public static long clock() {
        return Traps.call(new Trap.Clock());
    }

    /**
     * Runs {@code body} with a timeout: if it is still running {@code duration} from now, it is
     * cancelled at its next cancellation point and this method throws {@link TaskTimeoutException}.
     *
     * @param duration how long the block may take
     * @param body     the block
     * @param <T>      the value type
     * @param <X>      the block's own checked exception
     * @return the block's value
     * @throws X                  the block's own failure, unchanged
     * @throws CancelledException {@link TaskTimeoutException} if this block's deadline expired, or the
     *                            cancellation of the task or an enclosing timeout
     */
    public static <T, X extends Exception> T after(Duration duration, Body<T, X> body)
            throws X, CancelledException {
        return block(deadline(duration), body, false, null);
    }

    /**
     * Runs {@code body} with a timeout; see {@link #after(Duration, Body)}.
     *
     * @param duration how long the block may take
     * @param body     the block
     * @param <X>      the block's own checked exception
     * @throws X                  the block's own failure, unchanged
     * @throws CancelledException {@link TaskTimeoutException} if this block's deadline expired, or the
     *                            cancellation of the task or an enclosing timeout
     */
    public static <X extends Exception> void after(Duration duration, VoidBody<X> body)
            throws X, CancelledException {
        block(deadline(duration), Objects.requireNonNull(body, "body").asBody(), false, null);
    }

    /**
     * Runs {@code body} with a timeout and, if this block's deadline expires, abandons it quietly.
     *
     * @param duration how long the block may take
     * @param body     the block
     * @param <T>      the value type
     * @param <X>      the block's own checked exception
     * @return the block's value, or empty if the deadline expired (or the block returned null)
     * @throws X                  the block's own failure, unchanged
     * @throws CancelledException the cancellation of the task or an enclosing timeout
     */
    public static <T, X extends Exception> Optional<T> ignoreAfter(Duration duration, Body<T, X> body)
            throws X, CancelledException {
        return Optional.ofNullable(block(deadline(duration), body, true, null));
    }

    /**
     * Runs {@code body} with a timeout and returns {@code timeoutResult} if this block's deadline
     * expires. Curio: {@code ignore_after(..., timeout_result=...)}.
     *
     * @param duration      how long the block may take
     * @param body          the block
     * @param timeoutResult what to return on expiry
     * @param <T>           the value type
     * @param <X>           the block's own checked exception
     * @return the block's value, or {@code timeoutResult}
     * @throws X                  the block's own failure, unchanged
     * @throws CancelledException the cancellation of the task or an enclosing timeout
     */
    public static <T, X extends Exception> T ignoreAfter(Duration duration, Body<T, X> body, T timeoutResult)
            throws X, CancelledException {
        return block(deadline(duration), body, true, new Expired<>(timeoutResult));
    }

    /**
     * Runs {@code body} with a timeout and, if this block's deadline expires, abandons it quietly.
     *
     * @param duration how long the block may take
     * @param body     the block
     * @param <X>      the block's own checked exception
     * @return {@code true} if the deadline expired and the block was abandoned, {@code false} if it
     *         completed
     * @throws X                  the block's own failure, unchanged
     * @throws CancelledException the cancellation of the task or an enclosing timeout
     */
    public static <X extends Exception> boolean ignoreAfter(Duration duration, VoidBody<X> body)
            throws X, CancelledException {
        Objects.requireNonNull(body, "body");
        Boolean completed = block(deadline(duration), () -> {
            body.run();
            return Boolean.TRUE;
        }, true, new Expired<>(Boolean.FALSE));
        return !completed;
    }

    private static long deadline(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        long now = clock();
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException e) {
            nanos = duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        long sum = now + nanos;
        if (((now ^ sum) & (nanos ^ sum)) < 0) {                       // overflow: saturate
            return nanos > 0 ? Trap.NO_DEADLINE - 1 : Long.MIN_VALUE;
        }
        return Math.min(sum, Trap.NO_DEADLINE - 1);
    }

    /** The value a quiet block gives on expiry. */
    private record Expired<T>(T value) {}

    private static <T, X extends Exception> T block(long deadline, Body<T, X> body, boolean ignore,
                                                    @Nullable Expired<T> onExpiry) throws X, CancelledException {
        Objects.requireNonNull(body, "body");
        KernelTask<?> task = (KernelTask<?>) Curio.currentTask();
        task.pushDeadline(deadline);
        long prior = Traps.call(new Trap.SetTimeout(deadline));
        T result = null;
        Exception failure = null;
        try {
            try {
                result = body.call();
            } catch (Exception e) {     // the block's X, a cancellation, or unchecked: judged below
                failure = e;
            } catch (Error e) {
                Traps.call(new Trap.UnsetTimeout(prior));
                throw e;
            }
            long now = Traps.call(new Trap.UnsetTimeout(prior));
            if (failure instanceof TaskTimeoutException || failure instanceof TimeoutCancellationException) {
                if (!isOwnTimeout(task, (CancelledException) failure)) {
                    throw Throwing.<CancelledException>rethrow(failure);
                }
                if (ignore) {
                    return onExpiry == null ? null : onExpiry.value();
                }
                if (failure instanceof TimeoutCancellationException c) {
                    throw relabel(new TaskTimeoutException(c.clockNanos()), c);
                }
                throw (TaskTimeoutException) failure;
            }
            if (failure != null) {
                throw Throwing.<X>rethrow(failure);
            }
            if (now > deadline) {
                LOG.log(System.Logger.Level.WARNING, "{0} completed, but took longer than an enclosing timeout:"
                        + " overrun {1}", task, java.time.Duration.ofNanos(now - deadline));
            }
            return result;
        } finally {
            task.popDeadline();
        }
    }

    /**
     * Decides who a timeout belongs to. Returns true if it is this (innermost open) block's own;
     * throws the relabelled exception if it belongs to an enclosing block, or
     * {@link UncaughtTimeoutException} if no open block's deadline has expired.
     */
    private static boolean isOwnTimeout(KernelTask<?> task, CancelledException e) throws CancelledException {
        long at = e instanceof TaskTimeoutException t ? t.clockNanos() : ((TimeoutCancellationException) e).clockNanos();
        int count = task.deadlineCount();
        int expired = -1;
        for (int i = 0; i < count; i++) {
            if (task.deadline(i) <= at) {
                expired = i;                 // the outermost block whose deadline has passed
                break;
            }
        }
        if (expired < 0) {
            throw new UncaughtTimeoutException(e);
        }
        if (expired < count - 1) {
            if (e instanceof TaskTimeoutException t) {
                throw relabel(new TimeoutCancellationException(t.clockNanos()), e);
            }
            throw e;
        }
        return true;
    }

    private static <E extends CancelledException> E relabel(E fresh, CancelledException original) {
        fresh.setStackTrace(original.getStackTrace());
        return fresh;
    }
}
