package org.curio.test;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import org.curio.kernel.CoroutineBackend;
import org.curio.kernel.Kernel;
import org.curio.kernel.VirtualClock;
import org.curio.kernel.VoidBody;
import org.curio.kernel.spi.KernelClock;
import org.curio.test.internal.Runner;
import org.jspecify.annotations.Nullable;

/**
 * One run of a program on a fresh kernel, made to be a property test's try: on a {@link VirtualClock},
 * optionally with a {@linkplain #perturbed(long) seeded schedule perturbation}, under a real-time
 * limit, recorded in a {@link Trace}, and checked for what it leaves behind. Works with any test
 * framework; with jqwik, draw the seed as a parameter so that shrinking and replay keep it.
 *
 * {@snippet :
 * @Property(tries = 1000)
 * void everyMessageArrivesOnce(@ForAll("scripts") List<Op> script, @ForAll long seed) {
 *     Trial.create().perturbed(seed).run(() -> {
 *         Model model = Model.of(script);
 *         assertEquals(model.expected(), runScript(script));
 *     });
 * }
 * }
 *
 * <p>A run fails with a {@link TrialFailure} when the main task throws (the failure is its cause), when
 * a task crashed and nobody joined it, when a non-daemon task is still running after the main task
 * ended, when the kernel holds timers, descriptor registrations or future waits once no task is left or
 * after closing, when the process has a
 * different number of open file descriptors afterwards (Linux), or when the run takes longer than
 * the {@linkplain #timeLimit(Duration) time limit} of real time (jqwik applies no JUnit timeout to
 * tries). The failure's message holds the seed and the end of the trace; a failing seed replays the
 * same schedule and the same trace.
 *
 * <p>A {@code Trial} is an immutable value: each method returns a changed copy.
 */
public final class Trial {
    private static final Supplier<String> NO_DESCRIPTION = () -> "";

    private final @Nullable Long seed;
    private final boolean realClock;
    private final Duration autojump;
    private final Duration timeLimit;
    private final CoroutineBackend backend;
    private final boolean checkDescriptors;
    private final Supplier<String> description;

    private Trial(@Nullable Long seed, boolean realClock, Duration autojump, Duration timeLimit,
                  CoroutineBackend backend, boolean checkDescriptors, Supplier<String> description) {
        this.seed = seed;
        this.realClock = realClock;
        this.autojump = autojump;
        this.timeLimit = timeLimit;
        this.backend = backend;
        this.checkDescriptors = checkDescriptors;
        this.description = description;
    }

    /**
     * {@return a trial on a virtual clock, first-come first-served, with a 10 s real-time limit, the
     * backend chosen by {@code -Dorg.curio.backend}, and every check on}
     */
    public static Trial create() {
        return new Trial(null, false, VirtualClock.create().autojumpThreshold(), Duration.ofSeconds(10),
                CoroutineBackend.AUTO, true, NO_DESCRIPTION);
    }

    /**
     * {@return this trial with the kernel shuffling each batch of ready tasks with {@code seed}} See
     * {@link Kernel.Builder#perturbSchedule(long)}.
     *
     * @param seed the seed
     */
    public Trial perturbed(long seed) {
        return new Trial(seed, realClock, autojump, timeLimit, backend, checkDescriptors, description);
    }

    /** {@return this trial on the system clock instead of a virtual one} */
    public Trial realClock() {
        return new Trial(seed, true, autojump, timeLimit, backend, checkDescriptors, description);
    }

    /**
     * {@return this trial with another autojump threshold for its virtual clock} See
     * {@link VirtualClock#withAutojumpThreshold(Duration)}: how long the kernel waits in real time for
     * outside events (a descriptor, a future completed by a thread) before jumping to the next
     * deadline. Zero suits programs whose futures are completed by their own tasks.
     *
     * @param threshold the threshold; not negative
     */
    public Trial autojumpThreshold(Duration threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.isNegative()) {
            throw new IllegalArgumentException("autojump threshold must not be negative: " + threshold);
        }
        return new Trial(seed, realClock, threshold, timeLimit, backend, checkDescriptors, description);
    }

    /**
     * {@return this trial with {@code description} added to every failure's message} Use it for what
     * the trace cannot say: the generated scenario, the events a test recorded.
     *
     * @param description read only when the run fails, after it has stopped
     */
    public Trial describedBy(Supplier<String> description) {
        return new Trial(seed, realClock, autojump, timeLimit, backend, checkDescriptors,
                Objects.requireNonNull(description, "description"));
    }

    /**
     * {@return this trial with another real-time limit for the run and the close together}
     *
     * @param limit the limit; positive
     */
    public Trial timeLimit(Duration limit) {
        Objects.requireNonNull(limit, "limit");
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("time limit must be positive: " + limit);
        }
        return new Trial(seed, realClock, autojump, limit, backend, checkDescriptors, description);
    }

    /**
     * {@return this trial on another coroutine backend}
     *
     * @param backend the backend
     */
    public Trial backend(CoroutineBackend backend) {
        return new Trial(seed, realClock, autojump, timeLimit, Objects.requireNonNull(backend, "backend"),
                checkDescriptors, description);
    }

    /**
     * {@return this trial with or without the file-descriptor check} Turn it off when other threads
     * of the process open or close descriptors while the trial runs.
     *
     * @param check whether to compare the open descriptors before and after
     */
    public Trial checkDescriptors(boolean check) {
        return new Trial(seed, realClock, autojump, timeLimit, backend, check, description);
    }

    /**
     * What a successful run produced.
     *
     * @param result  the main task's result
     * @param trace   the run's trace
     * @param elapsed the time that passed on the kernel clock
     * @param <T>     the result type
     */
    public record Outcome<T extends @Nullable Object>(T result, Trace trace, Duration elapsed) {}

    /**
     * Runs {@code main} as the main task of a fresh kernel, closes the kernel and checks it.
     *
     * @param main the main task's body
     * @param <T>  the result type
     * @return the result, the trace and the elapsed kernel time
     * @throws TrialFailure if the run failed in any of the ways listed on {@link Trial}
     */
    public <T extends @Nullable Object> Outcome<T> execute(Callable<? extends T> main) {
        Objects.requireNonNull(main, "main");
        KernelClock clock = realClock ? KernelClock.SYSTEM : VirtualClock.withAutojumpThreshold(autojump);
        Runner runner = Runner.open(Kernel.builder().backend(backend).clock(clock), seed, timeLimit, checkDescriptors,
                kernel -> {
                    String more = description.get();
                    return this + (more.isEmpty() ? "" : "\n" + more);
                });
        long start = clock.nanoTime();
        T result = runner.run(main);
        return new Outcome<>(result, runner.trace(), Duration.ofNanos(clock.nanoTime() - start));
    }

    /**
     * Runs a main task that returns nothing; see {@link #execute(Callable)}.
     *
     * @param main the main task's body
     * @return the trace and the elapsed kernel time (the result is null)
     * @throws TrialFailure if the run failed in any of the ways listed on {@link Trial}
     */
    public Outcome<@Nullable Void> execute(VoidBody<?> main) {
        Objects.requireNonNull(main, "main");
        return execute(main.asBody()::call);
    }

    /**
     * Runs {@code main}; see {@link #execute(Callable)}.
     *
     * @param main the main task's body
     * @param <T>  the result type
     * @return the main task's result
     * @throws TrialFailure if the run failed
     */
    public <T extends @Nullable Object> T run(Callable<? extends T> main) {
        return execute(main).result();
    }

    /**
     * Runs a main task that returns nothing; see {@link #execute(Callable)}.
     *
     * @param main the main task's body
     * @throws TrialFailure if the run failed
     */
    public void run(VoidBody<?> main) {
        Objects.requireNonNull(main, "main");
        execute(main.asBody()::call);
    }

    @Override
    public String toString() {
        return "Trial[" + (seed == null ? "no perturbation" : "seed=" + seed) + ", "
                + (realClock ? "system clock" : "virtual clock, autojump after " + autojump) + ", backend=" + backend.name().toLowerCase(java.util.Locale.ROOT)
                + ", limit=" + timeLimit + "]";
    }
}
