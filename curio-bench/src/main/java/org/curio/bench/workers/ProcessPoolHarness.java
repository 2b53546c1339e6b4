package org.curio.bench.workers;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.workers.Workers;

/**
 * The pool of worker JVMs, measured from outside JMH: warm-pool start-up, the round trip of a trivial
 * job, and throughput with every worker busy (trivial jobs, and 10 ms CPU jobs), beside a
 * {@code ProcessBuilder} per call that starts a JVM for each job (round trip, and throughput with as
 * many at once as there are processors).
 *
 * <pre>
 * java -cp curio-bench/target/benchmarks.jar org.curio.bench.workers.ProcessPoolHarness [rounds]
 * </pre>
 */
public final class ProcessPoolHarness {
    private static final int TRIVIAL_CALLS = 2_000;
    private static final int CPU_JOBS = 200;
    private static final int BASELINE_CALLS = 20;

    private ProcessPoolHarness() {}

    /** A trivial program for the baseline: a JVM that starts and exits. */
    public static final class Trivial {
        private Trivial() {}

        /**
         * Prints 42.
         *
         * @param args unused
         */
        public static void main(String[] args) {
            System.out.println(42);
        }
    }

    /**
     * Runs every measurement {@code rounds} times (default 2) and prints one line per figure.
     *
     * @param args the number of rounds
     * @throws Exception if a measurement fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int n = Runtime.getRuntime().availableProcessors();
        System.out.println("processors " + n + ", java " + Runtime.version());
        for (int r = 1; r <= rounds; r++) {
            try (Kernel kernel = Kernel.create()) {
                kernel.run(() -> {
                    long t0 = System.nanoTime();
                    Workers.startProcesses();
                    report("warm pool start-up (" + n + " workers)", System.nanoTime() - t0, 1, "ms");
                    for (int i = 0; i < 200; i++) {
                        Workers.runInProcess(() -> 1);   // warm-up of both sides
                    }
                    long t1 = System.nanoTime();
                    for (int i = 0; i < TRIVIAL_CALLS; i++) {
                        Workers.runInProcess(() -> 1);
                    }
                    report("runInProcess round trip, trivial job", System.nanoTime() - t1, TRIVIAL_CALLS, "us");
                    throughput(n, TRIVIAL_CALLS, 0);
                    throughput(n, CPU_JOBS, 10);
                    return null;
                });
            }
            baseline(n);
        }
    }

    private static void throughput(int workers, int jobs, int cpuMillis) throws Exception {
        long t = System.nanoTime();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            for (int w = 0; w < workers; w++) {
                g.spawn(() -> {
                    for (int i = 0; i < jobs / workers; i++) {
                        Workers.runInProcess(() -> spin(cpuMillis));
                    }
                });
            }
            g.join();
        }
        long elapsed = System.nanoTime() - t;
        System.out.printf(Locale.ROOT, "runInProcess throughput, %d workers busy, %s jobs: %.0f jobs/s%n", workers,
                cpuMillis == 0 ? "trivial" : cpuMillis + " ms CPU", jobs / (elapsed / 1e9));
    }

    /** {@return a count that depends on spinning for {@code millis} of CPU} */
    static long spin(int millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        long count = 0;
        while (System.nanoTime() < end) {
            count++;
        }
        return count;
    }

    private static void baseline(int n) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Trivial.class.getName());
        runJvm(command);                                 // warm the page cache
        long t = System.nanoTime();
        for (int i = 0; i < BASELINE_CALLS; i++) {
            runJvm(command);
        }
        report("ProcessBuilder per call, round trip", System.nanoTime() - t, BASELINE_CALLS, "ms");
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            long t2 = System.nanoTime();
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < BASELINE_CALLS * 2; i++) {
                all.add(pool.submit(() -> runJvm(command)));
            }
            for (Future<?> f : all) {
                f.get();
            }
            System.out.printf(Locale.ROOT, "ProcessBuilder per call throughput, %d at once: %.1f jobs/s%n", n,
                    BASELINE_CALLS * 2 / ((System.nanoTime() - t2) / 1e9));
        }
    }

    private static String runJvm(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(new File("/dev/null")).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
        }
        if (p.waitFor() != 0 || !out.equals("42")) {
            throw new IllegalStateException("baseline JVM failed: " + out);
        }
        return out;
    }

    private static void report(String what, long nanos, int ops, String unit) {
        double per = nanos / (double) ops / (unit.equals("ms") ? 1e6 : 1e3);
        System.out.printf(Locale.ROOT, "%s: %.1f %s%n", what, per, unit);
    }
}
