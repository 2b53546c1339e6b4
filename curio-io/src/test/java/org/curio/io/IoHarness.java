package org.curio.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Ledger;
import org.curio.kernel.VirtualClock;
import org.curio.kernel.VoidBody;

/**
 * What the io module's tests need beyond curio-test's {@code @CurioTest} and {@code Trial}: a kernel
 * run whose result the test checks afterwards, or on a clock of its own, on a {@link VirtualClock} and
 * the backend the build selected, checking that the kernel's ledger is empty and that the process
 * holds exactly the descriptors it held before; that descriptor check alone, for tests that run
 * kernels of their own; and small conversions.
 */
final class IoHarness {
    /** The loopback address tests bind and connect to. */
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private IoHarness() {}

    /** Runs {@code main} on a fresh virtual-clock kernel and checks for leaks afterwards. */
    static <T> T run(Callable<T> main) throws Exception {
        return run(VirtualClock.create(), main);
    }

    /** Runs {@code main} on a fresh kernel with {@code clock} and checks for leaks afterwards. */
    static <T> T run(VirtualClock clock, Callable<T> main) throws Exception {
        return run(Kernel.builder().clock(clock), main);
    }

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

    /** Runs a void body; see {@link #run(Callable)}. */
    static void runVoid(VoidBody<?> main) throws Exception {
        run(main.asBody()::call);
    }

    /** {@return the loopback address with port 0} */
    static InetSocketAddress anyPort() {
        return new InetSocketAddress(LOOPBACK, 0);
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

    /** Seconds as a duration, for readability of ported curio tests. */
    static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
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
