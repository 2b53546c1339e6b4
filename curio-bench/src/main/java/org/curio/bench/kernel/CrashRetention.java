package org.curio.bench.kernel;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Timeouts;

/**
 * What a long-running server keeps of client tasks that crash: spawns daemon tasks, as a server
 * does per client, each holding 1 KiB of connection state and ending with an {@link IOException}
 * (a peer reset), and prints the kernel's live-task count and the live heap after a full GC at
 * checkpoints. Flat is right: nobody can join those tasks, so nothing of them should stay.
 *
 * <p>Run from the shaded jar, once per backend:
 * <pre>{@code
 * java -cp curio-bench/target/benchmarks.jar -Dorg.curio.backend=virtual org.curio.bench.kernel.CrashRetention [N]
 * java -cp curio-bench/target/benchmarks.jar -Dorg.curio.backend=continuation \
 *      --add-exports java.base/jdk.internal.vm=ALL-UNNAMED org.curio.bench.kernel.CrashRetention [N]
 * }</pre>
 * The kernel's crash log is switched off for the run (it would print N stack traces).
 */
public final class CrashRetention {
    private CrashRetention() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Logger kernelLog = Logger.getLogger("org.curio.kernel");
        kernelLog.setLevel(Level.OFF);
        try (Kernel kernel = Kernel.create()) {
            kernel.run(() -> {
                System.out.printf("backend %s, %,d crashing client tasks%n", kernel.backend(), n);
                System.out.printf("%12s %12s %14s%n", "crashed", "live tasks", "live heap MiB");
                int step = n / 10;
                report(0, kernel);
                for (int i = 1; i <= n; i++) {
                    byte[] connectionState = new byte[1024];
                    Curio.spawnDaemon(() -> {
                        Curio.schedule();
                        throw new IOException("connection reset by peer (" + connectionState.length + " B held)");
                    });
                    if (i % 1000 == 0) {
                        Timeouts.sleep(Duration.ofMillis(1));
                    }
                    if (i % step == 0) {
                        Timeouts.sleep(Duration.ofMillis(10));
                        report(i, kernel);
                    }
                }
                return null;
            });
        }
    }

    private static void report(int crashed, Kernel kernel) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        System.out.printf("%,12d %,12d %14.1f%n", crashed, kernel.ledger().tasks(), best / 1048576.0);
    }
}
