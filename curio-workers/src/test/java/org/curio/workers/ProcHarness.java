package org.curio.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

import org.curio.kernel.Kernel;
import org.curio.workers.internal.Children;

/**
 * Runs a test body as the main task of a fresh kernel on the real clock (real programs take real
 * time), then checks that nothing leaked: no live child or open pidfd counted, no zombie child of
 * this JVM, no kernel ledger entry, the same descriptors open as before.
 */
final class ProcHarness {
    private ProcHarness() {}

    /** Runs {@code main} and checks for leaks afterwards. */
    static <T> T run(Callable<T> main) throws Exception {
        TreeMap<Integer, String> before = openFds();
        Kernel kernel = Kernel.create();
        try {
            return kernel.run(main);
        } finally {
            kernel.close();
            assertTrue(kernel.ledger().isEmpty(), () -> "kernel left " + kernel.ledger());
            assertEquals(0, Children.liveChildren(), "live children");
            assertEquals(0, Children.openPidfds(), "open pidfds");
            assertEquals(List.of(), zombies(), "zombie children");
            assertNoNewFds(before);
        }
    }

    /** {@return the pids of this JVM's children that have exited and not been reaped} */
    static List<Long> zombies() throws IOException {
        long self = ProcessHandle.current().pid();
        List<Long> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String stat = readOrEmpty(p.resolve("stat"));
                int close = stat.lastIndexOf(')');
                if (close < 0) {
                    continue;
                }
                String[] fields = stat.substring(close + 2).split(" ");
                if (fields[0].equals("Z") && Long.parseLong(fields[1]) == self) {
                    found.add(Long.parseLong(name));
                }
            }
        }
        return found;
    }

    /** {@return the state letter of {@code pid} (R, S, Z...), or "gone"} */
    static String state(long pid) {
        String stat = readOrEmpty(Path.of("/proc", Long.toString(pid), "stat"));
        int close = stat.lastIndexOf(')');
        return close < 0 ? "gone" : stat.substring(close + 2, close + 3);
    }

    /** {@return the process group of {@code pid}} */
    static long group(long pid) {
        String stat = readOrEmpty(Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";                                    // the process went away meanwhile
        }
    }

    /** {@return the process's open descriptors and what each refers to} */
    static TreeMap<Integer, String> openFds() throws IOException {
        TreeMap<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                try {
                    fds.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // closed while listing (the listing itself)
                }
            }
        }
        return fds;
    }

    /** Fails if descriptors opened since {@code before} are still open. */
    static void assertNoNewFds(TreeMap<Integer, String> before) throws IOException, InterruptedException {
        List<String> leaked = leaked(before, openFds());
        for (int attempt = 0; attempt < 50 && !leaked.isEmpty(); attempt++) {
            Thread.sleep(10);                             // a waiter thread finishing
            leaked = leaked(before, openFds());
        }
        List<String> last = leaked;
        assertTrue(last.isEmpty(), () -> "descriptors leaked: " + last);
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

    /** {@return {@code s} as UTF-8 bytes} */
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@return {@code b} as UTF-8 text} */
    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
