package org.curio.bench.kernel;

import java.util.concurrent.TimeUnit;

import org.curio.kernel.Curio;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The trap round trip: what it costs a task to give control to the kernel and get it back, measured
 * as {@code Curio.schedule()} (curio's {@code sleep(0)}), in nanoseconds per call.
 *
 * <p>{@link #pingPong} runs two tasks that call {@code schedule()} in turn, so each call passes
 * control from one task, through the kernel loop, to the other; {@link #singleTask} runs one task
 * alone, so each call goes to the loop and straight back. Every invocation is one
 * {@code Kernel.run} of {@value #ROUNDS} rounds on a kernel created once per trial, so starting the
 * run is spread over tens of thousands of traps.
 *
 * <p><b>Baselines.</b> The same transfer of control between two virtual threads by
 * {@code park}/{@code unpark} (what the virtual backend does twice per trap: task to loop, loop to
 * task) and through {@code SynchronousQueue}s; a lone virtual thread's {@code Thread.yield()}; and
 * a raw {@code jdk.internal.vm.Continuation} run plus yield (what the continuation backend does once
 * per trap). Each is reported per hand-off, like the curio cases.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class TrapBenchmark {
    /** Rounds per invocation: {@code schedule()} calls per task, hand-offs per baseline thread. */
    static final int ROUNDS = 20_000;

    /** Creates the benchmark; JMH calls it. */
    public TrapBenchmark() {}

    /**
     * Two tasks call {@code schedule()} in turn; one operation is one call (one task-to-task switch
     * through the kernel).
     *
     * @param state the kernel on the chosen backend
     * @return the cycles both tasks ran, which depends on every switch
     * @throws Exception if a task fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public long pingPong(BackendState state) throws Exception {
        return state.kernel().run(() -> {
            Task<Long> a = Curio.spawn(TrapBenchmark::scheduleLoop);
            Task<Long> b = Curio.spawn(TrapBenchmark::scheduleLoop);
            return a.join() + b.join();
        });
    }

    /**
     * One task calls {@code schedule()} in a loop; one operation is one call.
     *
     * @param state the kernel on the chosen backend
     * @return the cycles the task ran
     * @throws Exception if the task fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long singleTask(BackendState state) throws Exception {
        return state.kernel().run(TrapBenchmark::scheduleLoop);
    }

    private static long scheduleLoop() throws CancelledException {
        for (int i = 0; i < ROUNDS; i++) {
            Curio.schedule();
        }
        return Curio.currentTask().cycles();
    }

    /**
     * Baseline: two virtual threads hand control to each other with {@code park}/{@code unpark} and
     * a volatile turn; one operation is one hand-off.
     *
     * @return the number of hand-offs
     * @throws InterruptedException never (nothing interrupts the benchmark threads)
     */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public long parkUnparkBaseline() throws InterruptedException {
        return Baselines.parkUnparkPingPong(ROUNDS);
    }

    /**
     * Baseline: two virtual threads pass a value back and forth through two
     * {@code SynchronousQueue}s; one operation is one hand-off.
     *
     * @return the sum of the values passed
     * @throws Exception never (nothing interrupts the benchmark threads)
     */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public long synchronousQueueBaseline() throws Exception {
        return Baselines.synchronousQueuePingPong(ROUNDS);
    }

    /**
     * Baseline for {@link #singleTask}: a lone virtual thread calls {@code Thread.yield()}, which
     * unmounts it and resubmits it to its scheduler; one operation is one yield.
     *
     * @return the number of yields
     * @throws Exception never
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long virtualThreadYieldBaseline() throws Exception {
        return Baselines.onVirtualThread(() -> {
            long n = 0;
            for (int i = 0; i < ROUNDS; i++) {
                Thread.yield();
                n++;
            }
            return n;
        });
    }

    /**
     * Baseline: a raw {@code jdk.internal.vm.Continuation} is run and yields; one operation is one
     * run plus one yield, the floor under the continuation backend's round trip.
     *
     * @return the number of runs
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long rawContinuationBaseline() {
        return Baselines.rawContinuation(ROUNDS);
    }
}
