package org.curio.test;

import java.util.OptionalLong;

import org.jspecify.annotations.Nullable;

/**
 * A test run on a kernel failed: its main task threw, a task crashed unnoticed or was left running,
 * the kernel held resources after closing, file descriptors leaked, or the run exceeded its real-time
 * limit. The message says which, with the perturbation seed (if any) and the end of the {@link Trace};
 * the cause, if any, is the original failure.
 */
public final class TrialFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    private final transient @Nullable Trace trace;
    private final @Nullable Long seed;

    /**
     * Creates the failure.
     *
     * @param message what failed, with the trace's tail
     * @param cause   the original failure, or null
     * @param trace   the run's trace
     * @param seed    the perturbation seed, or null
     */
    public TrialFailure(String message, @Nullable Throwable cause, Trace trace, @Nullable Long seed) {
        super(message, cause);
        this.trace = trace;
        this.seed = seed;
    }

    /** {@return the whole trace of the failed run} */
    public Trace trace() {
        Trace t = trace;
        if (t == null) {
            throw new IllegalStateException("trace not available after deserialization");
        }
        return t;
    }

    /** {@return the perturbation seed of the failed run, if it had one} */
    public OptionalLong seed() {
        return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
    }
}
