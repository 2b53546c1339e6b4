package org.curio.bench.workers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import org.curio.io.ByteStream;
import org.curio.kernel.CoroutineBackend;
import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.traps.CancelledException;
import org.curio.workers.Redirect;
import org.curio.workers.Subprocess;

/**
 * Subprocess costs beside {@link ProcessBuilder}: spawn-and-wait of {@code /bin/true} (N times, one
 * after another), and 1 GiB piped through {@code cat} (written and read back at once: two tasks in
 * curio, two virtual threads copying the JDK's streams in the baseline). Reports wall time and this
 * JVM's CPU time (the children's own CPU is not counted: it is the same program either way), and the
 * ratio curio / ProcessBuilder. Each case runs {@code rounds} times after one warm-up round.
 *
 * <pre>
 * java -cp curio-bench/target/benchmarks.jar org.curio.bench.workers.SubprocessBench [spawns] [MiB] [rounds]
 * </pre>
 */
public final class SubprocessBench {
    private static final int CHUNK = 64 * 1024;

    private SubprocessBench() {}

    /** What one case measured. */
    private record Cost(long wallNanos, long cpuNanos) {}

    /** A measured action. */
    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /**
     * Runs every case and prints a table.
     *
     * @param args {@code [spawns (default 2000)] [MiB (default 1024)] [rounds (default 3)]}
     * @throws Exception if a program fails
     */
    public static void main(String[] args) throws Exception {
        int spawns = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        long bytes = (args.length > 1 ? Long.parseLong(args[1]) : 1024) << 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.printf(Locale.ROOT, "%-34s %12s %12s%n", "case", "wall ms", "cpu ms");
        for (boolean spawnCase : new boolean[] {true, false}) {
            String what = spawnCase ? spawns + " x /bin/true" : (bytes >> 20) + " MiB through cat";
            Cost jdk = measure("ProcessBuilder, " + what, rounds,
                    spawnCase ? () -> jdkSpawns(spawns) : () -> jdkPipe(bytes));
            for (CoroutineBackend backend : new CoroutineBackend[] {CoroutineBackend.VIRTUAL, CoroutineBackend.CONTINUATION}) {
                Cost curio = measure("curio " + backend.name().toLowerCase(Locale.ROOT) + ", " + what, rounds,
                        () -> inKernel(backend, spawnCase ? () -> curioSpawns(spawns) : () -> curioPipe(bytes)));
                System.out.printf(Locale.ROOT, "  ratio curio/ProcessBuilder: wall %.2f, cpu %.2f%n",
                        (double) curio.wallNanos / jdk.wallNanos, (double) curio.cpuNanos / jdk.cpuNanos);
            }
        }
    }

    private static Cost measure(String name, int rounds, Action action) throws Exception {
        action.run();                                     // warm-up
        long wall = 0;
        long cpu = 0;
        for (int i = 0; i < rounds; i++) {
            long c0 = cpuNanos();
            long w0 = System.nanoTime();
            action.run();
            wall += System.nanoTime() - w0;
            cpu += cpuNanos() - c0;
        }
        Cost cost = new Cost(wall / rounds, cpu / rounds);
        System.out.printf(Locale.ROOT, "%-34s %12.1f %12.1f%n", name, cost.wallNanos / 1e6, cost.cpuNanos / 1e6);
        return cost;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void inKernel(CoroutineBackend backend, Action body) throws Exception {
        try (Kernel kernel = Kernel.builder().backend(backend).build()) {
            kernel.run(() -> {
                body.run();
                return null;
            });
        }
    }

    private static void curioSpawns(int n) throws IOException, CancelledException {
        for (int i = 0; i < n; i++) {
            Subprocess p = Subprocess.command("/bin/true").start();
            if (p.waitFor() != 0) {
                throw new IOException("/bin/true failed");
            }
            p.closePipes();
        }
    }

    private static void jdkSpawns(int n) throws IOException, InterruptedException {
        for (int i = 0; i < n; i++) {
            Process p = new ProcessBuilder("/bin/true").start();
            if (p.waitFor() != 0) {
                throw new IOException("/bin/true failed");
            }
            p.getInputStream().close();
            p.getErrorStream().close();
            p.getOutputStream().close();
        }
    }

    private static void curioPipe(long bytes) throws IOException, CancelledException {
        Subprocess cat = Subprocess.command("cat").stderr(Redirect.INHERIT).start();
        AtomicLong read = new AtomicLong();
        try (TaskGroup<Object> group = TaskGroup.open()) {
            group.spawn(() -> {
                ByteStream in = cat.stdin();
                byte[] chunk = new byte[CHUNK];
                for (long left = bytes; left > 0; left -= CHUNK) {
                    in.write(chunk);
                }
                in.close();
            });
            group.spawn(() -> {
                ByteStream out = cat.stdout();
                byte[] got;
                while ((got = out.read(CHUNK)).length > 0) {
                    read.addAndGet(got.length);
                }
            });
            group.join();
        }
        cat.waitFor();
        cat.closePipes();
        if (read.get() != bytes) {
            throw new IOException("cat returned " + read.get() + " of " + bytes + " bytes");
        }
    }

    private static void jdkPipe(long bytes) throws Exception {
        Process cat = new ProcessBuilder("cat").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        AtomicLong read = new AtomicLong();
        Thread writer = Thread.ofVirtual().start(() -> {
            try (OutputStream in = cat.getOutputStream()) {
                byte[] chunk = new byte[CHUNK];
                for (long left = bytes; left > 0; left -= CHUNK) {
                    in.write(chunk);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream out = cat.getInputStream()) {
                byte[] buf = new byte[CHUNK];
                int n;
                while ((n = out.read(buf)) > 0) {
                    read.addAndGet(n);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.join();
        reader.join();
        cat.waitFor();
        if (read.get() != bytes) {
            throw new IOException("cat returned " + read.get() + " of " + bytes + " bytes");
        }
    }
}
