package org.curio.bench.sync;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.curio.bench.kernel.BackendState;
import org.curio.sync.UniversalQueue;
import org.curio.traps.CancelledException;
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
 * A {@link UniversalQueue} from a plain (virtual) thread to a curio task, in nanoseconds per item: the
 * thread blocks in {@code put} while the queue is full, the task suspends in {@code get} while it is
 * empty, and each wake-up of the task crosses into its kernel through a completed future.
 *
 * <p><b>Baseline.</b> A {@code LinkedBlockingQueue} of the same capacity between two virtual threads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class UniversalQueueBenchmark {
    /** Items per invocation. */
    static final int ITEMS = 20_000;

    /** The queue's capacity. */
    @Param({"1", "64"})
    public int capacity = 1;

    /** Creates the benchmark; JMH calls it. */
    public UniversalQueueBenchmark() {}

    /**
     * A virtual thread puts {@value #ITEMS} items, a task gets them; one operation is one item.
     *
     * @param state the kernel on the chosen backend
     * @return the sum of the items, which depends on every one
     * @throws Exception if the task or the thread fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long threadToTask(BackendState state) throws Exception {
        var queue = new UniversalQueue<Integer>(capacity);
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < ITEMS; i++) {
                    queue.put(i);
                }
            } catch (CancelledException e) {
                throw new IllegalStateException(e);
            }
        });
        long sum = state.kernel().run(() -> {
            long s = 0;
            for (int i = 0; i < ITEMS; i++) {
                s += queue.get();
            }
            return s;
        });
        producer.join();
        return sum;
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
