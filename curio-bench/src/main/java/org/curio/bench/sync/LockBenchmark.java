package org.curio.bench.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.curio.bench.kernel.BackendState;
import org.curio.kernel.Curio;
import org.curio.sync.Lock;
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
 * Locks, in nanoseconds per acquire-release pair: {@link #uncontended} (one task alone) and
 * {@link #contended} ({@value #TASKS} tasks that each yield while holding the lock, so every release
 * hands the lock to a waiter).
 *
 * <p><b>Baselines.</b> A {@code ReentrantLock} taken by one virtual thread alone, and a fair
 * {@code ReentrantLock} shared by {@value #TASKS} virtual threads that each {@code Thread.yield()}
 * while holding it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class LockBenchmark {
    /** Acquire-release pairs per invocation. */
    static final int ROUNDS = 20_000;
    /** Contending tasks or threads. */
    static final int TASKS = 4;

    private final Lock lock = new Lock();
    private final ReentrantLock jdkLock = new ReentrantLock();
    private final ReentrantLock fairJdkLock = new ReentrantLock(true);

    /** Creates the benchmark; JMH calls it. */
    public LockBenchmark() {}

    /**
     * One task acquires and releases a free lock; one operation is one pair.
     *
     * @param state the kernel on the chosen backend
     * @return the pairs done
     * @throws Exception if the task fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long uncontended(BackendState state) throws Exception {
        return state.kernel().run(() -> {
            long n = 0;
            for (int i = 0; i < ROUNDS; i++) {
                lock.acquire();
                lock.release();
                n++;
            }
            return n;
        });
    }

    /**
     * {@value #TASKS} tasks each yield while holding the lock, so every release is a hand-off to a
     * waiter; one operation is one pair.
     *
     * @param state the kernel on the chosen backend
     * @return the pairs done
     * @throws Exception if a task fails (a bug)
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long contended(BackendState state) throws Exception {
        return state.kernel().run(() -> {
            List<Task<Long>> tasks = new ArrayList<>();
            for (int t = 0; t < TASKS; t++) {
                tasks.add(Curio.spawn(LockBenchmark.this::holdAndYield));
            }
            long n = 0;
            for (Task<Long> t : tasks) {
                n += t.join();
            }
            return n;
        });
    }

    private long holdAndYield() throws CancelledException {
        long n = 0;
        for (int i = 0; i < ROUNDS / TASKS; i++) {
            lock.acquire();
            try {
                Curio.schedule();
            } finally {
                lock.release();
            }
            n++;
        }
        return n;
    }

    /**
     * Baseline: a virtual thread takes a free {@code ReentrantLock}; one operation is one pair.
     *
     * @return the pairs done
     * @throws Exception never
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long uncontendedReentrantLockBaseline() throws Exception {
        return VirtualThreads.runAll(() -> {
            long n = 0;
            for (int i = 0; i < ROUNDS; i++) {
                jdkLock.lock();
                jdkLock.unlock();
                n++;
            }
            return n;
        });
    }

    /**
     * Baseline: {@value #TASKS} virtual threads share a fair {@code ReentrantLock} and yield while
     * holding it; one operation is one pair.
     *
     * @return the pairs done
     * @throws Exception never
     */
    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long contendedFairReentrantLockBaseline() throws Exception {
        Callable<Long> body = () -> {
            long n = 0;
            for (int i = 0; i < ROUNDS / TASKS; i++) {
                fairJdkLock.lock();
                try {
                    Thread.yield();
                } finally {
                    fairJdkLock.unlock();
                }
                n++;
            }
            return n;
        };
        return VirtualThreads.runCopies(TASKS, body);
    }
}
