package org.curio.bench.sync;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.curio.bench.kernel.BackendState;
import org.curio.kernel.Curio;
import org.curio.sync.Event;
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
 * Event ping-pong: two tasks signal each other through two {@link Event}s, in nanoseconds per
 * hand-off (one {@code set()} that wakes the other task, which runs next).
 *
 * <p><b>Baseline.</b> Two virtual threads signal each other through two
 * {@code java.util.concurrent.Semaphore}s (release wakes the other, acquire waits), per hand-off.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class EventBenchmark {
    /** Round trips per invocation; each is two hand-offs. */
    static final int ROUNDS = 10_000;

    /** Creates the benchmark; JMH calls it. */
    public EventBenchmark() {}

    /**
     * Two tasks ping-pong through two events; one operation is one hand-off.
     *
     * @param state the kernel on the chosen backend
     * @return the rounds completed
     * @throws Exception if a task fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public long pingPong(BackendState state) throws Exception {
        return state.kernel().run(() -> {
            var ping = new Event();
            var pong = new Event();
            Task<Long> b = Curio.spawn(() -> {
                long n = 0;
                for (int i = 0; i < ROUNDS; i++) {
                    ping.await();
                    ping.clear();
                    pong.set();
                    n++;
                }
                return n;
            });
            long n = 0;
            for (int i = 0; i < ROUNDS; i++) {
                ping.set();
                pong.await();
                pong.clear();
                n++;
            }
            return n + b.join();
        });
    }

    /**
     * Baseline: two virtual threads ping-pong through two semaphores; one operation is one hand-off.
     *
     * @return the rounds completed
     * @throws Exception never
     */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public long semaphorePingPongBaseline() throws Exception {
        var ping = new Semaphore(0);
        var pong = new Semaphore(0);
        return VirtualThreads.runAll(() -> {
            long n = 0;
            for (int i = 0; i < ROUNDS; i++) {
                ping.release();
                pong.acquire();
                n++;
            }
            return n;
        }, () -> {
            long n = 0;
            for (int i = 0; i < ROUNDS; i++) {
                ping.acquire();
                pong.release();
                n++;
            }
            return n;
        });
    }
}
