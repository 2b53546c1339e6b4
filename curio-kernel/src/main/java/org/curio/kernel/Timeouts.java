package org.curio.kernel;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskSlot;
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
 * <p><b>Overrun.</b> A block that finishes after its deadline has passed without the timeout having
 * reached it completes normally. If the task itself ran past the deadline (it reached no cancellation
 * point after it), the overrun is logged as a warning: the first time, then at most one line a minute
 * saying how many more there were, the others at {@code DEBUG}. A block whose wait had already ended
 * when its deadline came up (the item, the data or the wake-up arrived first, and the task was waiting
 * for its turn to run) did not overrun by its own doing: that is logged at {@code DEBUG} only. Curio
 * warns in both cases; a timed queue read in a busy program would otherwise log on every call.
 *
 * <p><b>Messages.</b> A {@link TaskTimeoutException} from a block says how long the block was given,
 * which call opened it and what the task was blocked in, for example {@code "timed out after PT5S
 * (Timeouts.after) while waiting to read fd=7"}.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/time.py">curio/time.py</a>
 */
public final class Timeouts {
    /*
     * Implementation notes. The class has no static state but the overrun logger, whose constructor
     * only stores its arguments, and the slot key: a class initializer that can fail would make the
     * class unusable for the rest of the JVM, and it may first run on a task's stack.
     *
     * The kernel knows one deadline per task, the one in force (Trap.SetTimeout, Trap.UnsetTimeout).
     * The deadlines of the open blocks, which decide whose timeout an expiry is, are this class's
     * own, kept in a slot of the task (Trap.GetSlot).
     */
    private static final RateLimitedLogger OVERRUN =
            new RateLimitedLogger("org.curio.kernel.Timeouts", Duration.ofMinutes(1));
    private static final TaskSlot<Deadlines> DEADLINES = TaskSlot.of("Timeouts.deadlines", TaskSlot.Scope.OWN);

    /** The deadlines of a task's open timeout blocks, outermost first. */
    private static final class Deadlines {
        private long[] deadlines = new long[4];
        private int count;

        void push(long deadline) {
            if (count == deadlines.length) {
                deadlines = java.util.Arrays.copyOf(deadlines, count * 2);
            }
            deadlines[count++] = deadline;
        }

        void pop() {
            count--;
        }
    }

    private Timeouts() {}

    /** {@return the logger of overrun warnings} For tests, which reset it. */
    static RateLimitedLogger overrunLog() {
        return OVERRUN;
    }

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
        return block(duration, "Timeouts.after", body, false, null);
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
        block(duration, "Timeouts.after", Objects.requireNonNull(body, "body").asBody(), false, null);
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
        return Optional.ofNullable(block(duration, "Timeouts.ignoreAfter", body, true, null));
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
        return block(duration, "Timeouts.ignoreAfter", body, true, new Expired<>(timeoutResult));
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
        Boolean completed = block(duration, "Timeouts.ignoreAfter", () -> {
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

    private static <T, X extends Exception> T block(Duration duration, String api, Body<T, X> body, boolean ignore,
                                                    @Nullable Expired<T> onExpiry) throws X, CancelledException {
        Objects.requireNonNull(body, "body");
        long deadline = deadline(duration);
        Task<?> task = Traps.call(new Trap.GetCurrent());
        Deadlines open = Traps.call(new Trap.GetSlot<>(task, DEADLINES));
        if (open == null) {
            open = new Deadlines();
            Traps.call(new Trap.SetSlot<>(task, DEADLINES, open));
        }
        open.push(deadline);
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
            // A timeout still pending here fired after the block's wait had ended: it lost the race.
            boolean timeoutFired = failure == null && pendingTimeout();
            long now = Traps.call(new Trap.UnsetTimeout(prior));
            if (failure instanceof TaskTimeoutException || failure instanceof TimeoutCancellationException) {
                boolean ownTimeout;
                try {
                    ownTimeout = isOwnTimeout(open, (CancelledException) failure);
                } catch (CancelledException outer) {
                    Kernel.timedOut(task, false, api, duration, deadline);
                    throw outer;
                }
                if (!ownTimeout) {
                    throw Throwing.<CancelledException>rethrow(failure);
                }
                Kernel.timedOut(task, true, api, duration, deadline);
                if (ignore) {
                    return onExpiry == null ? null : onExpiry.value();
                }
                TaskTimeoutException own = failure instanceof TimeoutCancellationException c
                        ? new TaskTimeoutException(c) : (TaskTimeoutException) failure;
                throw own.expiredBlock(duration, api);
            }
            if (failure != null) {
                throw Throwing.<X>rethrow(failure);
            }
            if (now > deadline) {
                overrun(task, api, duration, now - deadline, timeoutFired);
            }
            return result;
        } finally {
            open.pop();
        }
    }

    /** {@return whether a timeout is pending for the calling task} Leaves it pending. */
    private static boolean pendingTimeout() {
        Exception pending = Traps.call(new Trap.SetCancellation(null));
        if (pending == null) {
            return false;
        }
        Traps.call(new Trap.SetCancellation(pending));
        return pending instanceof TaskTimeoutException;
    }

    /**
     * Decides who a timeout belongs to. Returns true if it is this (innermost open) block's own;
     * throws the relabelled exception if it belongs to an enclosing block, or
     * {@link UncaughtTimeoutException} if no open block's deadline has expired.
     */
    private static boolean isOwnTimeout(Deadlines open, CancelledException e) throws CancelledException {
        long at = e instanceof TaskTimeoutException t ? t.clockNanos() : ((TimeoutCancellationException) e).clockNanos();
        int count = open.count;
        int expired = -1;
        for (int i = 0; i < count; i++) {
            if (open.deadlines[i] <= at) {
                expired = i;                 // the outermost block whose deadline has passed
                break;
            }
        }
        if (expired < 0) {
            throw new UncaughtTimeoutException(e);
        }
        if (expired < count - 1) {
            if (e instanceof TaskTimeoutException t) {
                throw new TimeoutCancellationException(t);
            }
            throw e;
        }
        return true;
    }

    /**
     * Logs a block that completed after its deadline. Discussion: curio warns whenever a block ends
     * past its deadline. Here only a task that ran past the deadline itself is warned about; when the
     * timeout fired while the task was already woken (a wake-up handed over in the same turn as the
     * deadline, or a loop held up by another task), the block did nothing wrong, and a timed get of a
     * busy queue would warn on every call.
     */
    private static void overrun(Task<?> task, String api, Duration duration, long lateNanos,
                                boolean timeoutFired) {
        if (timeoutFired) {
            OVERRUN.debug(() -> task + ": " + api + " " + duration + " completed " + Duration.ofNanos(lateNanos)
                    + " after its deadline; its wait had ended before the deadline came up");
            return;
        }
        OVERRUN.log(System.Logger.Level.WARNING, () -> task + " at " + callerFrame() + " completed, but took longer"
                + " than an enclosing timeout (" + api + " " + duration + "): overrun " + Duration.ofNanos(lateNanos));
    }

    /** {@return the first frame of the program's own code on the calling task's stack, or "?"} */
    private static String callerFrame() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(f -> !isLibrary(f.getDeclaringClass()))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":"
                        + f.getLineNumber() + ")")
                .orElse("?"));
    }

    private static boolean isLibrary(Class<?> c) {
        if (c == RateLimitedLogger.class) {
            return true;
        }
        String pkg = c.getPackageName();
        if (pkg.startsWith("org.curio.") && pkg.contains(".internal")) {
            return true;
        }
        boolean api = pkg.equals("org.curio.kernel") || pkg.equals("org.curio.traps") || pkg.equals("org.curio.sync");
        return api && java.lang.reflect.Modifier.isPublic(c.getModifiers());
    }
}
