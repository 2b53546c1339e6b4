package org.curio.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.traps.Task;
import org.curio.workers.CancelPolicy;
import org.curio.workers.Workers;

/**
 * A blocking library call moved to a thread: hashing a file with {@code java.io} and
 * {@code MessageDigest}, which would hold the kernel thread for as long as the disk and the CPU take,
 * runs in the kernel's thread pool while a ticker task keeps printing. A second hash runs under a
 * short timeout with {@link CancelPolicy#INTERRUPT}, which stops the thread at its next interruptible
 * read. Curio's {@code run_in_thread} example.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.BlockingCallInThread [file]
 * </pre>
 */
public final class BlockingCallInThread {
    private BlockingCallInThread() {}

    /**
     * Hashes a file (default: the java launcher) twice.
     *
     * @param args the file to hash
     * @throws Exception if the file cannot be read
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0]
                : ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        Curio.run(() -> {
            Task<Void> ticker = Curio.spawnDaemon(() -> {
                for (int i = 1; ; i++) {
                    System.out.println("tick " + i);
                    Timeouts.sleep(Duration.ofMillis(10));
                }
            });
            String hash = Workers.runInThread(() -> sha256(file, 1));
            System.out.println("sha-256 " + hash + "  " + file);
            try {
                Timeouts.after(Duration.ofMillis(20), () -> Workers.runInThread(CancelPolicy.INTERRUPT,
                        () -> sha256(file, 1_000)));
            } catch (org.curio.traps.TaskTimeoutException e) {
                System.out.println("slow hash timed out; its thread was interrupted and has finished");
            }
            ticker.cancel();
            return null;
        });
    }

    /** Hashes {@code file} {@code times} times over, with plain blocking reads. */
    static String sha256(Path file, int times) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (int i = 0; i < times; i++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new IOException("interrupted after " + i + " passes");
            }
            try (InputStream in = Files.newInputStream(file)) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
