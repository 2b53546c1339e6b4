package org.curio.bench.workers;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.curio.bench.kernel.BackendState;
import org.curio.workers.Workers;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The round trip of a trivial call handed to another thread and waited for, in nanoseconds per call:
 * {@code Workers.runInThread} from a task (its pool stays warm: the kernel lives for the trial), beside
 * {@code CompletableFuture.supplyAsync(...).join()} on a platform-thread pool from a platform thread,
 * and on a virtual-thread-per-task executor from a virtual thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class RunInThreadBenchmark {
    /** Calls per invocation. */
    static final int CALLS = 1_000;

    private @Nullable ExecutorService platform;           // set by start(), closed by stop()
    private @Nullable ExecutorService virtual;            // set by start(), closed by stop()

    /** Creates the benchmark; JMH calls it. */
    public RunInThreadBenchmark() {}

    /** Creates the baselines' executors. */
    @Setup(Level.Trial)
    public void start() {
        platform = Executors.newFixedThreadPool(64);
        virtual = Executors.newVirtualThreadPerTaskExecutor();
    }

    /** Closes the executors. */
    @TearDown(Level.Trial)
    public void stop() {
        Objects.requireNonNull(platform, "platform").close();
        Objects.requireNonNull(virtual, "virtual").close();
    }

    /**
     * {@value #CALLS} {@code runInThread} calls, one after another, from the main task.
     *
     * @param state the kernel on the chosen backend
     * @return the sum of the results
     * @throws Exception if a call fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long runInThread(BackendState state) throws Exception {
        return state.kernel().run(() -> {
            long sum = 0;
            for (int i = 0; i < CALLS; i++) {
                int v = i;
                sum += Workers.runInThread(() -> v);
            }
            return sum;
        });
    }

    /**
     * Baseline: {@code supplyAsync} on a pool of 64 platform threads and {@code join}, from this
     * (platform) benchmark thread.
     *
     * @return the sum of the results
     */
    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long platformPoolBaseline() {
        ExecutorService pool = Objects.requireNonNull(platform, "platform");
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            int v = i;
            sum += CompletableFuture.supplyAsync(() -> v, pool).join();
        }
        return sum;
    }

    /**
     * Baseline: {@code supplyAsync} on a new virtual thread per call and {@code join}, from a virtual
     * thread.
     *
     * @return the sum of the results
     * @throws Exception never
     */
    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long virtualThreadBaseline() throws Exception {
        ExecutorService pool = Objects.requireNonNull(virtual, "virtual");
        long[] sum = new long[1];
        Thread t = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < CALLS; i++) {
                int v = i;
                sum[0] += CompletableFuture.supplyAsync(() -> v, pool).join();
            }
        });
        t.join();
        return sum[0];
    }
}
