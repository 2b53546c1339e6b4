package org.curio.io.internal;

import java.lang.System.Logger.Level;
import java.net.SocketException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Objects;

/**
 * Logging for servers that must survive what they log about: every call is guarded (a logger that
 * fails, for example because it cannot open the time-zone data while the process is out of
 * descriptors, never stops the caller), and warnings are rate-limited, at most {@link #BURST} per
 * {@link #WINDOW_NANOS}, the rest counted and reported in one line when the next window opens.
 */
public final class QuietLog {
    /*
     * Implementation notes. The caller passes the time (the kernel clock in a task), so the limit is
     * deterministic under a virtual clock and this class needs no clock of its own. Only the kernel
     * thread of one server uses an instance; no synchronization.
     */
    /** Warnings let through per window. */
    public static final int BURST = 10;
    /** The length of a window: one minute. */
    public static final long WINDOW_NANOS = 60_000_000_000L;

    private final System.Logger logger;
    private long windowStart = Long.MIN_VALUE;           // kernel clock, nanoseconds
    private int inWindow;                                 // warnings let through in this window
    private long suppressed;                              // warnings dropped in this window

    /**
     * Creates a rate limiter over {@code logger}.
     *
     * @param logger where records go
     */
    public QuietLog(System.Logger logger) {
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    /**
     * Logs {@code message} at DEBUG, one line without a stack trace, if DEBUG is enabled. Never
     * throws.
     *
     * @param message the line
     */
    public void debug(String message) {
        guarded(Level.DEBUG, message);
    }

    /**
     * Logs {@code message} at WARNING, one line without a stack trace, unless {@link #BURST}
     * warnings were logged already in the current window; then counts it, and the first warning of a
     * later window reports the count. Never throws.
     *
     * @param message  the line
     * @param nowNanos the current time on any monotonic clock, in nanoseconds
     * @return whether the line was logged (rather than counted)
     */
    public boolean warn(String message, long nowNanos) {
        if (windowStart == Long.MIN_VALUE || nowNanos - windowStart >= WINDOW_NANOS) {
            if (suppressed > 0) {
                guarded(Level.WARNING, suppressed + " similar warnings were not logged in the last "
                        + (nowNanos - windowStart) / 1_000_000_000L + " s");
            }
            windowStart = nowNanos;
            inWindow = 0;
            suppressed = 0;
        }
        if (inWindow >= BURST) {
            suppressed++;
            return false;
        }
        inWindow++;
        guarded(Level.WARNING, message);
        return true;
    }

    /**
     * Logs {@code message} at {@code level} unless that fails. Never throws anything but a
     * {@link VirtualMachineError} (such as {@link OutOfMemoryError}).
     *
     * @param level   the level
     * @param message the line
     */
    public void guarded(Level level, String message) {
        try {
            if (logger.isLoggable(level)) {
                logger.log(level, message);
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            // Discussion: out of descriptors, a logger may fail to load what it needs: a class file
            // (NoClassDefFoundError), or the time-zone data, whose loader throws a plain Error. Dropping
            // the line is better than stopping a server over it.
        }
    }

    /**
     * Loads, while descriptors are still available, what formatting a log record needs later: the
     * time-zone rules (a file of the JDK, opened on first use) and the date formatting of the default
     * log formatter. A server calls this once before its first accept, so that logging an
     * {@code EMFILE} burst needs no descriptor. Never throws.
     */
    public static void prepare() {
        try {
            ZonedDateTime now = ZonedDateTime.now(ZoneId.systemDefault());
            String.format(Locale.getDefault(), "%1$tb %1$td, %1$tY %1$tl:%1$tM:%1$tS %1$Tp", now);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            // nothing to prepare then; guarded() still protects the server
        }
    }

    /**
     * {@return whether {@code failure}, or one of its causes, says the peer went away: a connection
     * reset or a broken pipe} Such failures are routine for a server and are logged at DEBUG.
     *
     * @param failure a client handler's failure
     */
    public static boolean isPeerGone(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof SocketException && t.getMessage() != null) {
                String m = t.getMessage().toLowerCase(Locale.ROOT);
                if (m.startsWith("connection reset") || m.startsWith("broken pipe")) {
                    return true;
                }
            }
        }
        return false;
    }
}
