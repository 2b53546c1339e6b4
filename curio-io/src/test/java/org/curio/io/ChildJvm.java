package org.curio.io;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A server in a child JVM with a descriptor limit of its own, and plain blocking clients for it: the
 * child runs the test JVM's own {@code java} with this module's classes and dependencies on the class
 * path and the same coroutine backend, under {@code ulimit -n}.
 */
final class ChildJvm {
    private ChildJvm() {}

    /**
     * Starts {@code mainClass} in a child JVM whose descriptor limit is {@code limit}; its standard error
     * goes to {@code log}, and it ends when its standard input closes.
     */
    static Process start(String mainClass, int limit, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path testClasses = Path.of("target", "test-classes").toAbsolutePath();
        if (!Files.isDirectory(testClasses)) {
            throw new IllegalStateException("no test classes at " + testClasses + "; run from the module directory");
        }
        List<String> path = new ArrayList<>();
        path.add(testClasses.toString());
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property, "");
            if (!value.isEmpty()) {
                path.add(value);
            }
        }
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + limit + " && exec \"$@\"", "bash",
                java, "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
                "-Dorg.curio.backend=" + System.getProperty("org.curio.backend", "virtual"),
                "-cp", String.join(File.pathSeparator, path), mainClass));
        return new ProcessBuilder(command).redirectError(log.toFile()).start();
    }

    /** {@return the port from the child's {@code LISTENING <port>} line} */
    static int awaitPort(Process child) throws IOException {
        BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
        String line = out.readLine();
        if (line == null || !line.startsWith("LISTENING ")) {
            throw new IllegalStateException("the child did not start: " + line);
        }
        return Integer.parseInt(line.substring("LISTENING ".length()).strip());
    }

    /** Waits until {@code log} has a line containing {@code text}; fails after {@code timeoutMs}. */
    static void awaitLine(Path log, String text, long timeoutMs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!Files.readString(log).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + text + "\" in the child's log within " + timeoutMs + " ms:\n"
                        + Files.readString(log));
            }
            Thread.sleep(50);                                    // polls a file written by another process
        }
    }

    /** {@return a blocking client connected to {@code address}, with 5 s timeouts} */
    static java.net.Socket client(InetSocketAddress address) throws IOException {
        java.net.Socket s = new java.net.Socket();
        s.connect(address, 5_000);
        s.setSoTimeout(5_000);
        return s;
    }

    /** Sends {@code message} and reads as many bytes back. */
    static String roundTrip(java.net.Socket s, String message) throws IOException {
        byte[] out = message.getBytes(StandardCharsets.US_ASCII);
        OutputStream o = s.getOutputStream();
        o.write(out);
        o.flush();
        InputStream in = s.getInputStream();
        byte[] back = in.readNBytes(out.length);
        return new String(back, StandardCharsets.US_ASCII);
    }

    /** {@return the share of one core that process {@code pid} used over the next {@code ms} milliseconds} */
    static double cpuShare(long pid, long ms) throws IOException, InterruptedException {
        long before = cpuTicks(pid);
        long start = System.nanoTime();
        Thread.sleep(ms);                                        // measures the other process over real time
        long ticks = cpuTicks(pid) - before;
        double seconds = (System.nanoTime() - start) / 1e9;
        return ticks / 100.0 / seconds;                          // USER_HZ is 100 on Linux
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);   // utime, stime
    }
}
