package org.curio.io.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Ledger;

/**
 * What this module's tests need beyond curio-test's {@code @CurioTest} and {@code Trial} (a trimmed
 * copy of curio-io's test harness, whose tests this module cannot see): a kernel run that checks
 * afterwards that the kernel's ledger is empty and that the process holds exactly the descriptors it
 * held before; that descriptor check alone, for tests that run kernels of their own; and small
 * conversions.
 */
final class IoHarness {
    private IoHarness() {}

    /** Runs {@code main} on a fresh kernel built from {@code settings} and checks for leaks afterwards. */
    static <T> T run(Kernel.Builder settings, Callable<T> main) throws Exception {
        TreeMap<Integer, String> before = openFds();
        Kernel kernel = settings.build();
        try {
            return kernel.run(() -> {
                T result = main.call();
                Ledger ledger = Curio.kernel().ledger();
                assertTrue(ledger.registrations() == 0 && ledger.futureWaits() == 0,
                        () -> "main task ended while the kernel still held " + ledger);
                return result;
            });
        } finally {
            kernel.close();
            assertTrue(kernel.ledger().isEmpty(), () -> "kernel left " + kernel.ledger());
            assertNoNewFds(before);
        }
    }

    /** {@return the process's open descriptors and what each refers to} */
    static TreeMap<Integer, String> openFds() throws IOException {
        TreeMap<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    continue;                                    // closed while listing (the listing itself)
                }
                fds.put(Integer.parseInt(p.getFileName().toString()), target);
            }
        }
        return fds;
    }

    /** Fails if descriptors opened since {@code before} are still open. */
    static void assertNoNewFds(TreeMap<Integer, String> before) throws IOException {
        TreeMap<Integer, String> after = openFds();
        for (int attempt = 0; attempt < 50 && !leaked(before, after).isEmpty(); attempt++) {
            try {
                Thread.sleep(10);                                // offload threads finishing a close
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            after = openFds();
        }
        List<String> leaked = leaked(before, after);
        assertTrue(leaked.isEmpty(), () -> "descriptors leaked: " + leaked);
    }

    private static List<String> leaked(TreeMap<Integer, String> before, TreeMap<Integer, String> after) {
        List<String> leaked = new ArrayList<>();
        after.forEach((fd, target) -> {
            if (!target.equals(before.get(fd)) && !target.startsWith("/proc/") && !target.endsWith(".jar")
                    && !target.equals("/dev/random") && !target.equals("/dev/urandom")) {
                leaked.add(fd + " -> " + target);
            }
        });
        return leaked;
    }

    /** {@return the ASCII bytes of {@code s}} */
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@return {@code b} as ASCII text} */
    static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
