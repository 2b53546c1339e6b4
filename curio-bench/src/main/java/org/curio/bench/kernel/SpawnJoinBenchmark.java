package org.curio.bench.kernel;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.curio.kernel.Curio;
import org.curio.traps.Task;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Spawn plus join of a trivial task from a running kernel, in nanoseconds per task.
 *
 * <p>Every invocation is one {@code Kernel.run} on a kernel created once per trial, whose main task
 * spawns and joins {@value #TASKS} tasks, {@code fanout} at a time: with {@code fanout = 1} each
 * task is spawned and joined before the next (the latency of a spawn and join); with
 * {@code fanout = 100} a hundred are spawned, then joined in order (throughput, with the switches
 * shared by many tasks).
 *
 * <p><b>Baselines.</b> The same loop on a virtual thread: {@code Thread.ofVirtual().start} plus
 * {@code join}, and {@code CompletableFuture.supplyAsync} on a virtual-thread-per-task executor plus
 * {@code join}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class SpawnJoinBenchmark {
    /** Tasks spawned and joined per invocation. */
    static final int TASKS = 10_000;

    /** Tasks spawned before the first of them is joined; divides {@link #TASKS}. */
    @Param({"1", "100"})
    public int fanout = 1;

    private @Nullable ExecutorService executor;           // set by start(), closed by stop()

    /** Creates the benchmark; JMH calls it. */
    public SpawnJoinBenchmark() {}

    /** Creates the executor for the {@code CompletableFuture} baseline. */
    @Setup(Level.Trial)
    public void start() {
        if (TASKS % fanout != 0) {
            throw new IllegalArgumentException("fanout must divide " + TASKS + ": " + fanout);
        }
        executor = Executors.newVirtualThreadPerTaskExecutor();
    }

    /** Closes the executor. */
    @TearDown(Level.Trial)
    public void stop() {
        if (executor != null) {
            executor.close();
        }
    }

    /**
     * Spawns and joins {@value #TASKS} tasks that return their index; one operation is one task.
     *
     * @param state the kernel on the chosen backend
     * @return the sum of the tasks' results
     * @throws Exception if a task fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public long spawnJoin(BackendState state) throws Exception {
        int width = fanout;
        return state.kernel().run(() -> {
            Task<?>[] tasks = new Task<?>[width];
            long sum = 0;
            for (int base = 0; base < TASKS; base += width) {
                for (int j = 0; j < width; j++) {
                    int value = base + j;
                    tasks[j] = Curio.spawn(() -> value);
                }
                for (int j = 0; j < width; j++) {
                    sum += (Integer) tasks[j].join();
                }
            }
            return sum;
        });
    }

    /**
     * Baseline: starts and joins {@value #TASKS} virtual threads from a virtual thread; one
     * operation is one thread.
     *
     * @return the sum of the threads' results
     * @throws Exception never (nothing interrupts the benchmark threads)
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public long virtualThreadBaseline() throws Exception {
        int width = fanout;
        return Baselines.onVirtualThread(() -> {
            Thread[] threads = new Thread[width];
            int[] results = new int[width];
            long sum = 0;
            for (int base = 0; base < TASKS; base += width) {
                for (int j = 0; j < width; j++) {
                    int slot = j;
                    int value = base + j;
                    threads[j] = Thread.ofVirtual().start(() -> results[slot] = value);
                }
                for (int j = 0; j < width; j++) {
                    threads[j].join();
                    sum += results[j];
                }
            }
            return sum;
        });
    }

    /**
     * Baseline: {@code CompletableFuture.supplyAsync} on a virtual-thread-per-task executor and
     * {@code join}, from a virtual thread; one operation is one future.
     *
     * @return the sum of the futures' values
     * @throws Exception never
     */
    @Benchmark
    @OperationsPerInvocation(TASKS)
    public long completableFutureBaseline() throws Exception {
        int width = fanout;
        ExecutorService pool = Objects.requireNonNull(executor, "executor");
        return Baselines.onVirtualThread(() -> {
            CompletableFuture<?>[] futures = new CompletableFuture<?>[width];
            long sum = 0;
            for (int base = 0; base < TASKS; base += width) {
                for (int j = 0; j < width; j++) {
                    int value = base + j;
                    futures[j] = CompletableFuture.supplyAsync(() -> value, pool);
                }
                for (int j = 0; j < width; j++) {
                    sum += (Integer) futures[j].join();
                }
            }
            return sum;
        });
    }
}
