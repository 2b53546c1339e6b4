package org.curio.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskException;
import org.curio.traps.TaskTimeoutException;
import org.curio.workers.internal.ProcessPool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Curio 1.6's test_workers.py for processes, and the pool's life: deaths, kills, bad payloads. */
class RunInProcessTest {
    private static final Duration TICK = Duration.ofMillis(100);

    /**
     * Opens and closes a loopback server socket once: the JDK keeps a socket of its own open from the
     * first one on, for the JVM's life, which the descriptor check would otherwise blame on a test.
     */
    @BeforeAll
    static void initializeJdkSockets() throws IOException {
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).close();
    }

    static int fib(int n) {
        return n <= 2 ? 1 : fib(n - 1) + fib(n - 2);
    }

    /** Squares its argument; a job named by its class. */
    public static final class Square implements Function<Integer, Integer> {
        /** Creates the function; the worker calls this. */
        public Square() {}

        @Override
        public Integer apply(Integer x) {
            return x * x;
        }
    }

    /** A job class the worker cannot make. */
    public static final class NoConstructor implements Function<Integer, Integer> {
        /**
         * Creates the function.
         *
         * @param ignored anything
         */
        public NoConstructor(int ignored) {}

        @Override
        public Integer apply(Integer x) {
            return x;
        }
    }

    /** A job runs in another process and its value comes back; a job class by name works too. */
    @CurioTest(autojumpThresholdMillis = 60_000)
    void valueComesBack() throws Exception {
        long parent = ProcessHandle.current().pid();
        long pid = Workers.runInProcess(() -> ProcessHandle.current().pid());
        assertNotEquals(parent, pid);
        assertEquals(14930352, Workers.runInProcess(() -> fib(36)));
        assertEquals(49, Workers.runInProcess(Square.class, 7));
        long again = Workers.runInProcess(() -> ProcessHandle.current().pid());
        assertTrue(Workers.processPool().pids().contains(again), "kept warm: " + again);
        assertTrue(Workers.processPool().pids().contains(pid), "kept warm: " + pid);
    }

    /** The kernel keeps running tasks while a job computes in a worker (test_cpu). */
    @CurioTest(realClock = true, timeLimitSeconds = 30)
    @Timeout(30)
    void kernelRunsWhileAJobComputes(Steps steps) throws Exception {
        Workers.startProcesses();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                for (int i = 5; i > 0; i--) {
                    steps.record(i);
                    Timeouts.sleep(TICK);
                }
            });
            g.spawn(() -> {
                int r = Workers.runInProcess(() -> {
                    Thread.sleep(1_500);
                    return fib(30);
                });
                steps.record("fib " + r);
            });
            g.join();
        }
        steps.assertEvents(5, 4, 3, 2, 1, "fib 832040");
    }

    /** A job's exception comes back as the cause, with the worker's stack (test_bad_cpu). */
    @CurioTest(autojumpThresholdMillis = 60_000)
    void exceptionComesBackWithTheRemoteStack() throws Exception {
        WorkerException e = assertThrows(WorkerException.class, () -> Workers.runInProcess(() -> Integer.parseInt("ten")));
        NumberFormatException cause = assertInstanceOf(NumberFormatException.class, e.getCause());
        assertTrue(Arrays.stream(cause.getStackTrace()).anyMatch(f -> f.getClassName().endsWith("WorkerMain")),
                Arrays.toString(cause.getStackTrace()));
        assertTrue(e.getMessage().contains("worker process " + e.pid()), e.getMessage());
    }

    /** A job that captures something not serializable fails in the caller, naming it, without a worker. */
    @CurioTest
    void nonSerializableJobFailsFast() throws Exception {
        Object notSerializable = new Object();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Workers.runInProcess(() -> notSerializable.hashCode()));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        ProcessPool pool = Workers.processPool();
        assertEquals(0, pool.processes());
        assertEquals(0, pool.permits().inUse());
        IllegalArgumentException byName = assertThrows(IllegalArgumentException.class,
                () -> Workers.runInProcess(NoConstructor.class, 1));
        assertTrue(byName.getMessage().contains("NoConstructor has no public no-argument constructor"),
                byName.getMessage());
    }

    /** A result or exception that does not serialize gives a clear remote failure; the worker stays. */
    @CurioTest(autojumpThresholdMillis = 60_000)
    void unserializableResultsAreReported() throws Exception {
        WorkerException r = assertThrows(WorkerException.class, () -> Workers.runInProcess(() -> new Object()));
        assertTrue(r.getMessage().contains("result (a java.lang.Object) could not be sent back"), r.getMessage());
        WorkerException x = assertThrows(WorkerException.class, () -> Workers.runInProcess(() -> {
            throw new Unsendable();
        }));
        assertTrue(x.getMessage().contains("could not be sent back"), x.getMessage());
        assertEquals(r.pid(), Workers.runInProcess(() -> ProcessHandle.current().pid()));
    }

    /** What a job prints, even raw bytes on descriptor 1, cannot corrupt the request channel. */
    @CurioTest(autojumpThresholdMillis = 60_000)
    void jobOutputDoesNotCorruptTheChannel() throws Exception {
        String r = Workers.runInProcess(() -> {
            System.out.println("noise on stdout");
            System.err.println("noise on stderr");
            try (FileOutputStream raw = new FileOutputStream(FileDescriptor.out)) {
                raw.write(new byte[] {0, 0, 0, 5, 1, 2, 3});
            }
            return "clean";
        });
        assertEquals("clean", r);
        assertEquals(2, Workers.<Integer>runInProcess(() -> 1 + 1));
    }

    /** A worker that calls System.exit gives a clear exception within a second; the pool recovers. */
    @CurioTest(autojumpThresholdMillis = 60_000)
    void systemExitIsReported() throws Exception {
        Workers.startProcesses();
        long start = System.nanoTime();
        WorkerException e = assertThrows(WorkerException.class, () -> Workers.runInProcess(() -> {
            System.exit(7);
            return null;
        }));
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "took " + (System.nanoTime() - start) / 1e6 + " ms");
        assertTrue(e.getMessage().contains("exited with status 7"), e.getMessage());
        assertEquals(4, Workers.<Integer>runInProcess(() -> 2 + 2));
    }

    /** A worker out of memory dies and is reported as such; the pool recovers. */
    @CurioTest(autojumpThresholdMillis = 60_000, timeLimitSeconds = 30)
    @Timeout(30)
    void outOfMemoryIsReported() throws Exception {
        Workers.processOptions(List.of("-Xmx32m"));
        WorkerException e = assertThrows(WorkerException.class, () -> Workers.runInProcess(() -> {
            List<long[]> hog = new ArrayList<>();
            while (true) {
                hog.add(new long[1 << 20]);
            }
        }));
        assertTrue(e.getMessage().contains("out of memory"), e.getMessage());
        assertEquals(4, Workers.<Integer>runInProcess(() -> 2 + 2));
    }

    /** A worker that cannot start says why: its own error output. */
    @CurioTest(autojumpThresholdMillis = 60_000)
    void failedStartSaysWhy() throws Exception {
        Workers.processOptions(List.of("-XX:+NoSuchOptionForCurio"));
        WorkerException e = assertThrows(WorkerException.class, () -> Workers.runInProcess(() -> 1));
        assertTrue(e.getMessage().contains("failed to start") && e.getMessage().contains("NoSuchOptionForCurio"),
                e.getMessage());
        Workers.processOptions(List.of());
        assertEquals(1, Workers.<Integer>runInProcess(() -> 1));
    }

    /** A cancelled job kills its worker, which is reaped, and the next job gets a new one (test_worker_cancel). */
    @CurioTest(realClock = true, timeLimitSeconds = 30)
    @Timeout(30)
    void cancelKillsTheWorker(Steps steps) throws Exception {
        Workers.processLimit(1);
        Workers.startProcesses();
        ProcessPool pool = Workers.processPool();
        long pid = pool.pids().getFirst();
        // Real time: the kill and the reap must fit in half a tick, even on a loaded machine.
        // Deadlines count from one start, so a slow spawn does not shift one task against the other.
        Duration slowTick = Duration.ofMillis(400);
        long start = Timeouts.clock();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                for (int i = 5; i > 0; i--) {
                    steps.record(i);
                    sleepUntil(start + (6 - i) * slowTick.toNanos());
                }
            });
            g.spawn(() -> {
                Task<Object> t = Curio.spawn(() -> Workers.runInProcess(() -> {
                    Thread.sleep(60_000);
                    return null;
                }));
                sleepUntil(start + slowTick.toNanos() * 5 / 2);
                t.cancel();
                TaskException e = assertThrows(TaskException.class, t::join);
                steps.record(e.getCause() instanceof CancelledException ? "cancel" : String.valueOf(e.getCause()));
                steps.record(ProcessHandle.of(pid).isPresent() ? "alive" : "reaped");
            });
            g.join();
        }
        steps.assertEvents(5, 4, 3, "cancel", "reaped", 2, 1);
        assertNotEquals(pid, Workers.runInProcess(() -> ProcessHandle.current().pid()));
    }

    /** A timeout kills the worker too, at each point: waiting for a worker, while it starts, while it runs. */
    @CurioTest(realClock = true, timeLimitSeconds = 30)
    @Timeout(30)
    void timeoutAtEachPoint(Steps steps) throws Exception {
        Workers.processLimit(1);
        ProcessPool pool = Workers.processPool();
        ProcessCallable<Object> forever = () -> {
            Thread.sleep(60_000);
            return null;
        };
        // while the worker starts (the first call starts it)
        assertThrows(TaskTimeoutException.class, () -> Timeouts.after(Duration.ofMillis(1), () -> Workers.runInProcess(forever)));
        steps.record("starting: " + pool.processes() + " " + pool.permits().inUse());
        // while the job runs, and while another waits for the only worker
        Workers.startProcesses();
        Task<Object> holder = Curio.spawn(() -> Workers.runInProcess(forever));
        Timeouts.sleep(Duration.ofMillis(200));
        assertThrows(TaskTimeoutException.class, () -> Timeouts.after(Duration.ofMillis(200), () -> Workers.runInProcess(forever)));
        steps.record("waiting: " + pool.permits().waiting() + " " + pool.permits().inUse());
        holder.cancel();
        steps.record("running: " + pool.processes() + " " + pool.permits().inUse());
        steps.assertEvents("starting: 0 0", "waiting: 0 1", "running: 0 0");
    }

    /** An idle worker killed from outside is noticed and dropped at once; the next job gets a live one. */
    @CurioTest(realClock = true, timeLimitSeconds = 30)
    @Timeout(30)
    void idleWorkerKilledFromOutsideIsDropped() throws Exception {
        Workers.processLimit(1);
        Workers.startProcesses();
        ProcessPool pool = Workers.processPool();
        long pid = pool.pids().getFirst();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        for (int i = 0; i < 200 && pool.processes() > 0; i++) {
            Timeouts.sleep(Duration.ofMillis(10));
        }
        assertEquals(0, pool.processes());
        assertNotEquals(pid, Workers.runInProcess(() -> ProcessHandle.current().pid()));
    }

    /** Workers killed from outside: every death is reported within a second, the pool recovers, no zombies. */
    @CurioTest(realClock = true, timeLimitSeconds = 120)
    @Timeout(120)
    void hundredWorkersKilledFromOutside() throws Exception {
        Workers.processLimit(25);                        // four rounds of 25: start-up latency dominates
        // Workers that start fast: this test starts a hundred of them.
        Workers.processOptions(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData"));
        ProcessPool pool = Workers.processPool();
        int reported = 0;
        long slowest = 0;
        while (reported < 100) {
            Workers.startProcesses();
            List<Long> pids = pool.pids();
            List<Task<Long>> jobs = new ArrayList<>();
            for (int i = 0; i < pids.size(); i++) {
                jobs.add(Curio.spawn(() -> {
                    try {
                        Workers.runInProcess(() -> {
                            Thread.sleep(60_000);
                            return null;
                        });
                        return -1L;
                    } catch (WorkerException e) {
                        assertTrue(e.getMessage().contains("killed by signal 9 (SIGKILL)"), e.getMessage());
                        return System.nanoTime();
                    }
                }));
            }
            Timeouts.sleep(Duration.ofMillis(50));
            long killedAt = System.nanoTime();
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);   // only the pool's own workers
            }
            for (Task<Long> t : jobs) {
                long at = t.join();
                assertTrue(at > 0);
                slowest = Math.max(slowest, at - killedAt);
                reported++;
            }
        }
        assertTrue(slowest < 1_000_000_000L, "slowest report took " + slowest / 1e6 + " ms");
        assertEquals(4, Workers.<Integer>runInProcess(() -> 2 + 2));
        assertEquals(List.of(), zombies());
    }

    private static void sleepUntil(long deadline) throws CancelledException {
        Timeouts.sleep(Duration.ofNanos(Math.max(0, deadline - Timeouts.clock())));
    }

    static List<String> zombies() throws IOException {
        List<String> z = new ArrayList<>();
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(child.pid()), "stat"),
                    StandardCharsets.US_ASCII);
            if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
                z.add(stat);
            }
        }
        return z;
    }

    /** Closing the kernel kills and reaps its workers, even one running a job. */
    @Test
    void closeLeavesNoProcesses() throws Exception {
        Kernel kernel = Kernel.create();
        try (kernel) {
            kernel.run(() -> {
                Workers.runInProcess(() -> 1);
                Curio.spawnDaemon(() -> Workers.runInProcess(() -> {
                    Thread.sleep(60_000);
                    return null;
                }));
                Timeouts.sleep(TICK);
                return null;
            });
        }
        assertEquals(new WorkerLedger(0, 0), Workers.ledger(kernel));
        assertEquals(List.of(), ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList());
        assertEquals(List.of(), zombies());
    }

    /** An exception that does not serialize: it holds a plain object. */
    static final class Unsendable extends IllegalStateException {
        @java.io.Serial private static final long serialVersionUID = 1L;
        @SuppressWarnings("serial")
        private final Object field = new Object();

        Unsendable() {
            super("holds " + new Object());
        }
    }
}
