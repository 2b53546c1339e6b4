package org.curio.kernel;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.curio.kernel.spi.Activation;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.jspecify.annotations.Nullable;

/**
 * Debugging tracers, built on {@link Activation}s and logging through {@link System.Logger} (logger
 * {@code org.curio.kernel.debug}). Attach them with {@link Kernel.Builder#activation}. Curio:
 * {@code curio.debug}.
 *
 * {@snippet :
 * Kernel kernel = Kernel.builder()
 *         .activation(Debug.logCrash())
 *         .activation(Debug.longBlock(Duration.ofMillis(50)))
 *         .build();
 * }
 */
public final class Debug {
    private static final System.Logger LOG = System.getLogger("org.curio.kernel.debug");

    private Debug() {}

    /**
     * {@return an activation that logs every time a task starts running and stops} (curio's
     * {@code schedtrace})
     *
     * @param level the level to log at
     */
    public static Activation scheduleTrace(System.Logger.Level level) {
        Objects.requireNonNull(level, "level");
        return new Activation() {
            @Override
            public void running(Task<?> task) {
                LOG.log(level, "RUN {0}", task);
            }

            @Override
            public void suspended(Task<?> task, Trap<?> trap) {
                LOG.log(level, "SUSPEND {0}", task);
            }

            @Override
            public void terminated(Task<?> task, @Nullable Throwable failure) {
                LOG.log(level, "TERMINATED {0}", task);
            }
        };
    }

    /**
     * {@return an activation that logs the trap each task suspends on} (curio's {@code traptrace})
     *
     * @param level the level to log at
     */
    public static Activation trapTrace(System.Logger.Level level) {
        Objects.requireNonNull(level, "level");
        return new Activation() {
            @Override
            public void suspended(Task<?> task, Trap<?> trap) {
                LOG.log(level, "TRAP {0} {1}", task, trap);
            }
        };
    }

    /**
     * {@return an activation that logs, at {@code ERROR}, every task that terminates with a failure other
     * than cancellation} (curio's {@code logcrash})
     */
    public static Activation logCrash() {
        return new Activation() {
            @Override
            public void terminated(Task<?> task, @Nullable Throwable failure) {
                if (failure != null && !(failure instanceof CancelledException)) {
                    LOG.log(System.Logger.Level.ERROR, "task crash: " + task, failure);
                }
            }
        };
    }

    /**
     * {@return an activation that warns when a task runs longer than {@code limit} without suspending},
     * which stalls every other task of the kernel (curio's {@code longblock})
     *
     * @param limit the longest acceptable run, in real time
     */
    public static Activation longBlock(Duration limit) {
        long max = Objects.requireNonNull(limit, "limit").toNanos();
        return new Activation() {
            private final Map<Long, Long> started = new HashMap<>();

            @Override
            public void running(Task<?> task) {
                started.put(task.id(), System.nanoTime());
            }

            @Override
            public void suspended(Task<?> task, Trap<?> trap) {
                check(task);
            }

            @Override
            public void terminated(Task<?> task, @Nullable Throwable failure) {
                check(task);
            }

            private void check(Task<?> task) {
                Long start = started.remove(task.id());
                if (start != null) {
                    long ran = System.nanoTime() - start;
                    if (ran > max) {
                        LOG.log(System.Logger.Level.WARNING, "{0} ran {1} without suspending (limit {2})",
                                task, Duration.ofNanos(ran), limit);
                    }
                }
            }
        };
    }
}
