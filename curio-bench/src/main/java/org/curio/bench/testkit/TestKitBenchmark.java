package org.curio.bench.testkit;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.curio.bench.kernel.BackendState;
import org.curio.io.Connection;
import org.curio.io.Socket;
import org.curio.io.testing.MemoryNetwork;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.VirtualClock;
import org.curio.test.Trace;
import org.curio.traps.CancelledException;
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
 * The testing kit's costs, in nanoseconds per operation.
 *
 * <p>{@link #memoryRoundTrip} and {@link #socketpairRoundTrip}: a client task sends 64 bytes and a
 * server task sends them back, one operation per round trip, over a {@link MemoryNetwork} pair and
 * over a Unix socketpair in the same kernel; the baseline {@link #virtualThreadQueues} does the same
 * between two virtual threads through {@code ArrayBlockingQueue}s.
 *
 * <p>{@link #observedPingPong}: two tasks calling {@code schedule()} in turn (the trap round trip of
 * {@code TrapBenchmark.pingPong}) on a kernel that is plain, perturbed by a seed, or traced by a
 * {@link Trace}: what a property try pays for exploring schedules and for its trace.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class TestKitBenchmark {
    static final int ROUNDS = 10_000;
    private static final int SIZE = 64;

    /** Creates the benchmark; JMH calls it. */
    public TestKitBenchmark() {}

    /**
     * Round trips over an in-memory pair.
     *
     * @param state the kernel
     * @return bytes echoed
     * @throws Exception if a task fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long memoryRoundTrip(BackendState state) throws Exception {
        return state.kernel().run(() -> {
            MemoryNetwork.Pair pair = MemoryNetwork.create().pair();
            try (pair) {
                return echo(pair.left(), pair.right());
            }
        });
    }

    /**
     * Round trips over a Unix socketpair.
     *
     * @param state the kernel
     * @return bytes echoed
     * @throws Exception if a task fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long socketpairRoundTrip(BackendState state) throws Exception {
        return state.kernel().run(() -> {
            Socket.Pair pair = Socket.pair();
            try (pair) {
                return echo(pair.first(), pair.second());
            }
        });
    }

    private static long echo(Connection client, Connection server) throws Exception {
        Task<Long> echoer = Curio.spawn(() -> {
            ByteBuffer b = ByteBuffer.allocate(SIZE);
            long n = 0;
            for (int i = 0; i < ROUNDS; i++) {
                b.clear();
                while (b.hasRemaining()) {
                    server.recvInto(b);
                }
                b.flip();
                server.sendAll(b);
                n += SIZE;
            }
            return n;
        });
        ByteBuffer out = ByteBuffer.allocate(SIZE);
        ByteBuffer in = ByteBuffer.allocate(SIZE);
        for (int i = 0; i < ROUNDS; i++) {
            out.clear();
            client.sendAll(out);
            in.clear();
            while (in.hasRemaining()) {
                client.recvInto(in);
            }
        }
        return echoer.join();
    }

    /**
     * Baseline: the same round trips between two virtual threads through two queues.
     *
     * @return bytes echoed
     * @throws Exception if a thread fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long virtualThreadQueues() throws Exception {
        ArrayBlockingQueue<byte[]> there = new ArrayBlockingQueue<>(1);
        ArrayBlockingQueue<byte[]> back = new ArrayBlockingQueue<>(1);
        long[] n = new long[1];
        Thread echoer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < ROUNDS; i++) {
                    back.put(there.take().clone());
                    n[0] += SIZE;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread client = Thread.ofVirtual().start(() -> {
            byte[] message = new byte[SIZE];
            try {
                for (int i = 0; i < ROUNDS; i++) {
                    there.put(message.clone());
                    back.take();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        client.join();
        echoer.join();
        return n[0];
    }

    /** A kernel on a virtual clock that is plain, perturbed or traced. */
    @State(Scope.Benchmark)
    public static class ObservedState extends BackendState {
        /** {@code plain}, {@code perturbed} (a seeded shuffle of ready tasks) or {@code traced}. */
        @Param({"plain", "perturbed", "traced"})
        public String mode = "plain";

        /** Creates the state; JMH calls it. */
        public ObservedState() {}

        @Override
        protected void configure(Kernel.Builder builder) {
            builder.clock(VirtualClock.create());
            switch (mode) {
                case "perturbed" -> builder.perturbSchedule(42);
                case "traced" -> builder.activation(Trace.create(1024));
                default -> { }
            }
        }
    }

    /**
     * Two tasks call {@code schedule()} in turn; one operation is one call.
     *
     * @param state the kernel
     * @return the cycles both tasks ran
     * @throws Exception if a task fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public long observedPingPong(ObservedState state) throws Exception {
        return state.kernel().run(() -> {
            Task<Long> a = Curio.spawn(TestKitBenchmark::yields);
            Task<Long> b = Curio.spawn(TestKitBenchmark::yields);
            return a.join() + b.join();
        });
    }

    private static long yields() throws CancelledException {
        for (int i = 0; i < ROUNDS; i++) {
            Curio.schedule();
        }
        return Curio.currentTask().cycles();
    }
}
