package org.curio.test.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The process's open file descriptors, read from {@code /proc/self/fd}, leaving out those the JVM
 * opens by itself and keeps (jar files and the runtime image, the random devices), so that a test can compare
 * before and after.
 */
public final class Descriptors {
    private static final Path FDS = Path.of("/proc/self/fd");
    private static final int GRACE_LOOKS = 50;             // 50 × 10 ms
    private static final String JAVA_HOME = System.getProperty("java.home", "/nonexistent");

    private Descriptors() {}

    /** {@return whether descriptors can be listed on this system} */
    public static boolean available() {
        return Files.isDirectory(FDS);
    }

    /** {@return descriptor number to what it refers to (a path, "socket:[n]", "anon_inode:[eventpoll]"…)} */
    public static Map<Integer, String> snapshot() {
        Map<Integer, String> open = new TreeMap<>();
        if (!available()) {
            return open;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(FDS)) {
            for (Path entry : dir) {
                String target;
                try {
                    target = Files.readSymbolicLink(entry).toString();
                } catch (IOException e) {
                    continue;                   // closed while listing, or the listing's own descriptor
                }
                if (!ownedByTheRuntime(target)) {
                    open.put(Integer.parseInt(entry.getFileName().toString()), target);
                }
            }
        } catch (IOException e) {
            return open;
        }
        return open;
    }

    /** Jar files and the runtime image (class loading) and the random devices (seeding) stay open. */
    private static boolean ownedByTheRuntime(String target) {
        return target.endsWith(".jar") || target.startsWith(JAVA_HOME) || target.startsWith("/proc/")
                || target.equals("/dev/random") || target.equals("/dev/urandom");
    }

    /**
     * {@return a description of the descriptors open now that were not open in {@code before}, or an
     * empty string if there are no more than before} Fewer is fine: a kernel closed just before may
     * release its descriptors a moment later, on its poller's thread.
     *
     * @param before an earlier {@link #snapshot()}
     */
    public static String changeSince(Map<Integer, String> before) {
        Map<Integer, String> after = snapshot();
        // A descriptor closed on another thread (a file closed by a worker, a poller shutting down)
        // may close a moment after the kernel does: look again for a short while before reporting.
        for (int i = 0; i < GRACE_LOOKS && after.size() > before.size(); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            after = snapshot();
        }
        if (after.size() <= before.size()) {
            return "";
        }
        Map<Integer, String> now = after;
        Map<Integer, String> opened = new TreeMap<>(now);
        opened.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
        Map<Integer, String> closed = new TreeMap<>(before);
        closed.entrySet().removeIf(e -> e.getValue().equals(now.get(e.getKey())));
        return "open file descriptors went from " + before.size() + " to " + now.size()
                + (opened.isEmpty() ? "" : "; opened " + opened) + (closed.isEmpty() ? "" : "; closed " + closed);
    }
}
