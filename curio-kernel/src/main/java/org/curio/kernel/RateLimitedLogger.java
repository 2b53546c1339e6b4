package org.curio.kernel;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * A logger for a warning that can repeat on a hot path: the first occurrence is logged at its level,
 * then at most one line per interval at that level, which says how many occurrences it stands for;
 * the occurrences in between go to {@code DEBUG} only (and are not even formatted unless
 * {@code DEBUG} is enabled). So a program that hits the warning a million times gets a handful of
 * lines, and the first one still says where.
 *
 * <p>It never throws and needs no resource of its own: the platform logger is looked up when the
 * first record is logged, not when this object is made (so a class can hold one in a static field
 * without its initializer doing anything that can fail), and if logging fails (the first log record
 * loads classes and data files, which fails when the process is out of file descriptors) the line
 * goes to the standard error stream, which is already open.
 *
 * <p><b>Thread safety.</b> Any thread; the kernels of a process share the static instances.
 */
final class RateLimitedLogger {
    /*
     * Implementation notes. `nextReport` is the System.nanoTime after which the next occurrence is
     * reported at the full level; 0 means "never reported yet". The thread that moves it forward with
     * a compare-and-set reports, and takes the count of occurrences suppressed since the last report.
     * Real time, not the kernel clock: a virtual clock can jump hours in a test, and kernels differ.
     */
    private final String name;
    private final long intervalNanos;
    private final @Nullable LongSupplier clock;           // a test's clock; null: System.nanoTime
    private final AtomicLong nextReport = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    private volatile System.@Nullable Logger logger;

    /**
     * Creates the logger; nothing is looked up yet.
     *
     * @param name     the platform logger's name
     * @param interval the least time between two lines at the full level
     */
    public RateLimitedLogger(String name, Duration interval) {
        this(name, interval, null);
    }

    /**
     * Creates the logger with a clock of its own, for tests.
     *
     * @param name     the platform logger's name
     * @param interval the least time between two lines at the full level
     * @param clock    answers the time in nanoseconds, or null for {@link System#nanoTime()}
     */
    public RateLimitedLogger(String name, Duration interval, @Nullable LongSupplier clock) {
        this.name = name;
        this.intervalNanos = Math.max(1, interval.toNanos());
        this.clock = clock;
    }

    /**
     * Logs one occurrence: at {@code level} if it is the first, or the first since the interval
     * passed (then with the number of occurrences since the last such line); otherwise at
     * {@code DEBUG}.
     *
     * @param level   the level of a reported occurrence
     * @param message makes the message; called only if a record is logged
     */
    public void log(System.Logger.Level level, Supplier<String> message) {
        long now = clock == null ? System.nanoTime() : clock.getAsLong();
        long next = nextReport.get();
        boolean report = (next == 0 || now - next >= 0) && nextReport.compareAndSet(next, nonZero(now + intervalNanos));
        if (report) {
            long more = suppressed.getAndSet(0);
            emit(level, more == 0 ? message : () -> message.get() + " (" + more
                    + " more since the last report, logged at DEBUG)");
        } else {
            suppressed.incrementAndGet();
            emit(System.Logger.Level.DEBUG, message);
        }
    }

    /**
     * Logs at {@code DEBUG} only, without counting an occurrence: for the harmless variant of the
     * event this logger watches.
     *
     * @param message makes the message; called only if {@code DEBUG} is enabled
     */
    public void debug(Supplier<String> message) {
        emit(System.Logger.Level.DEBUG, message);
    }

    /** Forgets what was reported, so that the next occurrence is reported as the first; for tests. */
    public void reset() {
        nextReport.set(0);
        suppressed.set(0);
    }

    private static long nonZero(long deadline) {
        return deadline == 0 ? 1 : deadline;
    }

    private void emit(System.Logger.Level level, Supplier<String> message) {
        try {
            System.Logger l = logger;
            if (l == null) {
                l = logger = System.getLogger(name);
            }
            if (l.isLoggable(level)) {
                l.log(level, message.get());
            }
        } catch (RuntimeException | LinkageError e) {
            if (level != System.Logger.Level.DEBUG) {
                System.err.println("curio: " + name + ": " + safely(message) + " (logging failed: " + e + ")");
            }
        }
    }

    private static String safely(Supplier<String> message) {
        try {
            return message.get();
        } catch (RuntimeException e) {
            return "(message failed: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "RateLimitedLogger[" + name + ", every " + Duration.ofNanos(intervalNanos) + "]";
    }
}
