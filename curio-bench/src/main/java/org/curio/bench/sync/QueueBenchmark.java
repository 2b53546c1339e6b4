package org.curio.bench.sync;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.curio.bench.kernel.BackendState;
import org.curio.kernel.Curio;
import org.curio.sync.Queue;
import org.curio.traps.Task;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A bounded {@link Queue} between a producer task and a consumer task, in nanoseconds per item. With
 * {@code capacity=1} every item is a hand-off that switches tasks; with 64 the tasks batch.
 *
 * <p><b>Baseline.</b> A {@code LinkedBlockingQueue} of the same capacity between two virtual threads.
 * DESIGN goal (issue 3): the task-to-task hand-off beats the {@code LinkedBlockingQueue} one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class QueueBenchmark {
    /** Items per invocation. */
    static final int ITEMS = 20_000;

    /** The queue's capacity. */
    @Param({"1", "64"})
    public int capacity = 1;

    /** Creates the benchmark; JMH calls it. */
    public QueueBenchmark() {}

    /**
     * A producer task puts {@value #ITEMS} items, a consumer task gets them; one operation is one item.
     *
     * @param state the kernel on the chosen backend
     * @return the sum of the items, which depends on every one
     * @throws Exception if a task fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long taskToTask(BackendState state) throws Exception {
        return state.kernel().run(() -> {
            var queue = new Queue<Integer>(capacity);
            Task<Void> producer = Curio.spawn(() -> {
                for (int i = 0; i < ITEMS; i++) {
                    queue.put(i);
                }
            });
            long sum = 0;
            for (int i = 0; i < ITEMS; i++) {
                sum += queue.get();
            }
            producer.join();
            return sum;
        });
    }

    /**
     * Baseline: a {@code LinkedBlockingQueue} between two virtual threads; one operation is one item.
     *
     * @return the sum of the items
     * @throws Exception never
     */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long linkedBlockingQueueBaseline() throws Exception {
        var queue = new LinkedBlockingQueue<Integer>(capacity);
        return VirtualThreads.runAll(() -> {
            for (int i = 0; i < ITEMS; i++) {
                queue.put(i);
            }
            return 0L;
        }, () -> {
            long sum = 0;
            for (int i = 0; i < ITEMS; i++) {
                sum += queue.take();
            }
            return sum;
        });
    }
}
