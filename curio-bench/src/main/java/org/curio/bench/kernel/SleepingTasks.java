package org.curio.bench.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.curio.kernel.CoroutineBackend;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Ledger;
import org.curio.kernel.Timeouts;

/**
 * The footprint of a blocked task: spawns a million tasks that each sleep for an hour on one
 * kernel, measures the live heap they hold, then cancels them all by closing the kernel; beside the
 * same with a million virtual threads in {@code Thread.sleep} or {@code LockSupport.park}.
 *
 * <p>Not a JMH benchmark: it measures heap, once, rather than time. Run it from the shaded jar:
 * <pre>{@code
 * java -cp curio-bench/target/benchmarks.jar org.curio.bench.kernel.SleepingTasks [--tasks N] [MODE...]
 * }</pre>
 * Without a mode it runs every mode, each in a fresh JVM with the heap of DESIGN.md's target
 * ({@code -Xmx1g} for {@code continuation}, {@code -Xmx2g} for the rest) and the JVM export the
 * continuation backend needs, and prints one result line per mode; a mode that does not fit its heap
 * is reported as such, and the exit status is then 1. With modes it runs them in this JVM, whatever
 * its heap (the continuation mode then needs {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}).
 *
 * <p>Modes: {@code continuation} and {@code virtual} (curio on that backend), {@code vthread-sleep}
 * and {@code vthread-park} (the baselines).
 */
public final class SleepingTasks {
    /*
     * Implementation notes. Live heap is read from the MemoryMXBean after several System.gc() calls
     * (each a full collection with the default G1 and Serial collectors), keeping the smallest
     * reading; the cost per task is (with tasks - before tasks) / N, so the kernel's or executor's
     * fixed cost is left out but its per-task tables (task map, timer heap, thread array) are in.
     * Each measured round is preceded by a few smaller rounds of the same mode, so that class loading
     * and JIT compilation distort neither the times nor the heap: a task frozen in interpreted frames
     * holds a larger stack chunk than one frozen in compiled frames (about 680 B against 430 B on the
     * continuation backend).
     */
    private static final Duration NAP = Duration.ofHours(1);
    private static final int DEFAULT_TASKS = 1_000_000;
    private static final int WARM_UP_TASKS = 100_000;
    private static final int WARM_UP_ROUNDS = 3;
    private static final String RESULT = "RESULT ";

    /** A way of holding N blocked tasks, and the heap DESIGN.md allows it for a million. */
    private enum Mode {
        CONTINUATION("continuation", "1g"),
        VIRTUAL("virtual", "2g"),
        VTHREAD_SLEEP("vthread-sleep", "2g"),
        VTHREAD_PARK("vthread-park", "2g");

        final String label;
        final String heap;

        Mode(String label, String heap) {
            this.label = label;
            this.heap = heap;
        }

        static Mode named(String name) {
            for (Mode m : values()) {
                if (m.label.equals(name.toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown mode '" + name
                    + "': expected continuation, virtual, vthread-sleep or vthread-park");
        }
    }

    /** What one round measured. */
    private record Outcome(int tasks, long heapBytes, long blockNanos, long cancelNanos) {}

    private SleepingTasks() {}

    /**
     * Runs the modes named in {@code args} in this JVM, or every mode in a JVM of its own.
     *
     * @param args {@code [--tasks N] [MODE...]}
     * @throws Exception if a round fails, or a child JVM cannot be started
     */
    public static void main(String[] args) throws Exception {
        int tasks = DEFAULT_TASKS;
        List<Mode> modes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--tasks") && i + 1 < args.length) {
                tasks = Integer.parseInt(args[++i].replace("_", ""));
                if (tasks <= 0) {
                    throw new IllegalArgumentException("task count must be positive: " + tasks);
                }
            } else {
                modes.add(Mode.named(args[i]));
            }
        }
        if (modes.isEmpty()) {
            if (!runEachInChildJvm(tasks)) {
                System.exit(1);
            }
        } else {
            for (Mode mode : modes) {
                for (int i = 0; i < WARM_UP_ROUNDS; i++) {
                    measure(mode, Math.min(tasks, WARM_UP_TASKS));
                }
                Outcome outcome = measure(mode, tasks);
                System.out.println(RESULT + describe(mode, outcome));
            }
        }
    }

    private static boolean runEachInChildJvm(int tasks) throws IOException, InterruptedException {
        List<String> summary = new ArrayList<>();
        boolean failed = false;
        for (Mode mode : Mode.values()) {
            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + mode.heap, "-XX:+ExitOnOutOfMemoryError",
                    "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"),
                    SleepingTasks.class.getName(), "--tasks", Integer.toString(tasks), mode.label);
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            String result = null;
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith(RESULT)) {
                        result = line.substring(RESULT.length());
                    }
                    System.out.println("  [" + mode.label + "] " + line);
                }
            }
            int status = child.waitFor();
            if (status == 0 && result != null) {
                summary.add(result);
            } else {
                failed = true;
                summary.add(String.format(Locale.ROOT, "%-13s %,d tasks did NOT fit in -Xmx%s (exit status %d);"
                        + " run this mode alone with a larger -Xmx for its heap per task",
                        mode.label, tasks, mode.heap, status));
            }
        }
        System.out.println();
        summary.forEach(System.out::println);
        return !failed;
    }

    private static String describe(Mode mode, Outcome o) {
        long maxHeap = Runtime.getRuntime().maxMemory();
        return String.format(Locale.ROOT,
                "%-13s %,d tasks blocked: %,d B live heap per task (%,.1f MiB in all, max heap %,d MiB);"
                        + " blocked in %.2f s, cancelled in %.2f s",
                mode.label, o.tasks(), o.heapBytes() / o.tasks(), o.heapBytes() / 1048576.0, maxHeap >> 20,
                o.blockNanos() / 1e9, o.cancelNanos() / 1e9);
    }

    private static Outcome measure(Mode mode, int tasks) throws Exception {
        return switch (mode) {
            case CONTINUATION -> curio(CoroutineBackend.CONTINUATION, tasks);
            case VIRTUAL -> curio(CoroutineBackend.VIRTUAL, tasks);
            case VTHREAD_SLEEP -> virtualThreads(tasks, false);
            case VTHREAD_PARK -> virtualThreads(tasks, true);
        };
    }

    private static Outcome curio(CoroutineBackend backend, int tasks) throws Exception {
        Kernel kernel = Kernel.builder().backend(backend).shutdownTimeout(Duration.ofMinutes(30)).build();
        long before = liveHeap();
        long start = System.nanoTime();
        kernel.run(() -> {
            int[] asleep = new int[1];          // kernel-confined: tasks run one at a time
            for (int i = 0; i < tasks; i++) {
                Curio.spawn(() -> {
                    asleep[0]++;
                    Timeouts.sleep(NAP);
                    return null;
                });
            }
            while (asleep[0] < tasks) {
                Curio.schedule();
            }
            return null;
        });
        long blocked = System.nanoTime() - start;
        Ledger ledger = kernel.ledger();
        if (ledger.tasks() != tasks || ledger.timers() != tasks) {
            throw new IllegalStateException("expected " + tasks + " sleeping tasks, kernel holds " + ledger);
        }
        long heap = liveHeap() - before;
        start = System.nanoTime();
        kernel.close();
        return new Outcome(tasks, heap, blocked, System.nanoTime() - start);
    }

    private static Outcome virtualThreads(int tasks, boolean park) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        long before = liveHeap();
        long start = System.nanoTime();
        Thread[] threads = new Thread[tasks];
        CountDownLatch started = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            threads[i] = Thread.ofVirtual().start(park ? () -> {
                started.countDown();
                while (!stop.get()) {
                    LockSupport.park();
                }
            } : () -> {
                started.countDown();
                try {
                    Thread.sleep(NAP);
                } catch (InterruptedException e) {
                    // Cancelled: end the thread.
                }
            });
        }
        started.await();
        awaitBlocked(threads);
        long blocked = System.nanoTime() - start;
        long heap = liveHeap() - before;
        start = System.nanoTime();
        stop.set(true);
        for (Thread t : threads) {
            if (park) {
                LockSupport.unpark(t);
            } else {
                t.interrupt();
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Outcome(tasks, heap, blocked, System.nanoTime() - start);
    }

    private static void awaitBlocked(Thread[] threads) throws InterruptedException {
        for (Thread t : threads) {
            while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
                Thread.sleep(1);
            }
        }
    }

    private static long liveHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }
}
