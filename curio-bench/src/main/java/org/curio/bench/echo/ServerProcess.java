package org.curio.bench.echo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * One echo server of the comparison running in a process of its own, and what the harness reads from
 * outside it: CPU time ({@code /proc/<pid>/stat}), resident memory ({@code VmRSS} and {@code VmHWM} of
 * {@code /proc/<pid>/status}) and, for a JVM, its live heap by class ({@code jcmd GC.class_histogram},
 * which collects garbage first) and its native memory summary ({@code jcmd VM.native_memory}, when the
 * server runs with {@code -XX:NativeMemoryTracking}).
 *
 * <p>The servers: the four JVM servers of {@link EchoServers}, {@value #C_FLOOR} (a one-thread epoll
 * server in C, compiled at run time) and {@value #PYTHON_CURIO} (Python curio's own echo server).
 */
final class ServerProcess implements AutoCloseable {
    /** The C one-thread epoll server. */
    static final String C_FLOOR = "c-epoll";
    /** Python curio's echo server. */
    static final String PYTHON_CURIO = "python-curio";
    private static final String C_RESOURCE = "/org/curio/bench/c/echo_epoll.c";
    private static final String PYTHON_RESOURCE = "/org/curio/bench/echo/echo_curio.py";
    private static final long TICKS_PER_SECOND = clockTicks();

    final String name;
    final Process process;
    final InetSocketAddress address;
    final boolean jvm;

    private ServerProcess(String name, Process process, InetSocketAddress address, boolean jvm) {
        this.name = name;
        this.process = process;
        this.address = address;
        this.jvm = jvm;
    }

    /**
     * The servers that run outside the JVM, prepared once per run in a temporary directory: the C floor
     * compiled with {@code cc -O2}, the Python script written out and {@code import curio} tried. A server
     * that cannot run has the reason instead.
     */
    static final class Externals {
        final Path dir;
        @Nullable Path cBinary;
        String cSkip = "";
        @Nullable Path pythonScript;
        String pythonSkip = "";
        String pythonCurioVersion = "";

        Externals(@Nullable Path cSource) throws IOException, InterruptedException {
            dir = Files.createTempDirectory("curio-echo-");
            prepareC(cSource);
            preparePython();
        }

        private void prepareC(@Nullable Path cSource) throws IOException, InterruptedException {
            Path source = dir.resolve("echo_epoll.c");
            if (cSource != null) {
                Files.copy(cSource, source);
            } else {
                try (InputStream in = ServerProcess.class.getResourceAsStream(C_RESOURCE)) {
                    if (in == null) {
                        cSkip = "the C source " + C_RESOURCE + " is not on the class path (rebuild the jar, or pass --c-source)";
                        return;
                    }
                    Files.copy(in, source);
                }
            }
            Path binary = dir.resolve("echo_epoll");
            Command cc = Command.run(List.of("cc", "-O2", "-o", binary.toString(), source.toString()));
            if (cc == null) {
                cSkip = "no C compiler: `cc` is not on the PATH";
            } else if (cc.exit != 0) {
                cSkip = "`cc -O2` failed (exit " + cc.exit + "): " + cc.output.strip();
            } else {
                cBinary = binary;
            }
        }

        private void preparePython() throws IOException, InterruptedException {
            Command version = Command.run(List.of("python3", "-c", "import curio; print(curio.__version__)"));
            if (version == null) {
                pythonSkip = "no `python3` on the PATH";
                return;
            }
            if (version.exit != 0) {
                pythonSkip = "python3 cannot `import curio` (try `pip install --user curio==1.6`)";
                return;
            }
            pythonCurioVersion = version.output.strip();
            Path script = dir.resolve("echo_curio.py");
            try (InputStream in = ServerProcess.class.getResourceAsStream(PYTHON_RESOURCE)) {
                if (in == null) {
                    pythonSkip = "the script " + PYTHON_RESOURCE + " is not on the class path (rebuild the jar)";
                    return;
                }
                Files.copy(in, script);
            }
            pythonScript = script;
        }

        /** Deletes the temporary directory and what was prepared in it. */
        void delete() throws IOException {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }

        /** {@return why {@code server} cannot run here, or "" if it can} */
        String skipReason(String server) {
            return switch (server) {
                case C_FLOOR -> cSkip;
                case PYTHON_CURIO -> pythonSkip;
                default -> "";
            };
        }
    }

    /** A finished short command: exit status and its merged output; null from {@link #run} if it cannot start. */
    private record Command(int exit, String output) {
        static @Nullable Command run(List<String> command) throws InterruptedException {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return new Command(p.waitFor(), out);
            } catch (IOException notThere) {
                return null;
            }
        }
    }

    /**
     * Starts a server and waits for its port.
     *
     * @param server    a name from {@link EchoServers#names()}, {@value #C_FLOOR} or {@value #PYTHON_CURIO}
     * @param jvmArgs   options for a JVM server (the same for every JVM server)
     * @param externals where the C and Python servers are
     * @return the running server
     * @throws Exception if it does not start
     */
    static ServerProcess start(String server, List<String> jvmArgs, Externals externals) throws Exception {
        List<String> command = new ArrayList<>();
        boolean jvm = false;
        switch (server) {
            case C_FLOOR -> command.add(String.valueOf(externals.cBinary));
            case PYTHON_CURIO -> command.addAll(List.of("python3", String.valueOf(externals.pythonScript)));
            default -> {
                jvm = true;
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                // The export matters to curio's continuation backend only; every JVM gets it so the flags are alike.
                command.add("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");
                command.add("--enable-native-access=ALL-UNNAMED");
                command.addAll(jvmArgs);
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), EchoServers.class.getName(), server));
            }
        }
        Path log = Files.createTempFile("echo-" + server + "-", ".log");
        Process child = new ProcessBuilder(command).redirectError(log.toFile()).start();
        try {
            int port = EchoHarness.awaitPort(child, server);
            return new ServerProcess(server, child, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), jvm);
        } catch (Exception e) {
            child.destroyForcibly();
            throw new IOException(server + " did not start; its standard error is in " + log, e);
        }
    }

    /** {@return user plus system CPU time of the server, in nanoseconds} */
    long cpuNanos() {
        return cpuNanos(process.pid());
    }

    /** {@return user plus system CPU time of process {@code pid}, in nanoseconds, from /proc/pid/stat} */
    static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);   // utime, stime (fields 14, 15)
            return ticks * 1_000_000_000L / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Resident memory of the server.
     *
     * @param rssKiB  resident now ({@code VmRSS})
     * @param peakKiB the most it has been resident ({@code VmHWM})
     */
    record Memory(long rssKiB, long peakKiB) {}

    /** {@return the server's resident memory now and at its peak, from /proc/pid/status} */
    Memory memory() {
        try {
            long rss = 0;
            long hwm = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                }
            }
            return new Memory(rss, hwm);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long kib(String statusLine) {
        return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
    }

    /**
     * The live heap of a JVM server by class, after a full collection.
     *
     * @param totalBytes every live object
     * @param byClass    bytes per class name
     */
    record Histogram(long totalBytes, Map<String, Long> byClass) {
        /** {@return the classes that grew most from {@code before} to this one, largest first} */
        List<Map.Entry<String, Long>> grownSince(Histogram before, int count) {
            Map<String, Long> grown = new LinkedHashMap<>();
            byClass.forEach((k, v) -> grown.put(k, v - before.byClass.getOrDefault(k, 0L)));
            return grown.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                    .limit(count).toList();
        }
    }

    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)\\s*$");

    /** {@return the server's live heap by class ({@code jcmd GC.class_histogram}, which collects first)} */
    Histogram liveHeap() throws IOException, InterruptedException {
        long total = -1;
        Map<String, Long> byClass = new LinkedHashMap<>();
        for (String line : jcmd("GC.class_histogram").split("\n")) {
            Matcher row = HISTOGRAM_ROW.matcher(line);
            Matcher sum = HISTOGRAM_TOTAL.matcher(line);
            if (row.matches()) {
                byClass.merge(row.group(3), Long.parseLong(row.group(2)), Long::sum);
            } else if (sum.matches()) {
                total = Long.parseLong(sum.group(2));
            }
        }
        if (total < 0) {
            throw new IOException("no Total line in the class histogram of " + name);
        }
        return new Histogram(total, byClass);
    }

    private static final Pattern NMT_CATEGORY =
            Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB.*$");

    /**
     * {@return committed native memory of a JVM server by category (KiB), from {@code jcmd
     * VM.native_memory summary}; empty unless it runs with {@code -XX:NativeMemoryTracking}}
     */
    Map<String, Long> nativeMemory() throws IOException, InterruptedException {
        Map<String, Long> committed = new LinkedHashMap<>();
        for (String line : jcmd("VM.native_memory", "summary").split("\n")) {
            Matcher m = NMT_CATEGORY.matcher(line.strip());
            if (m.matches()) {
                committed.put(m.group(1).strip(), Long.parseLong(m.group(3)));
            }
        }
        return committed;
    }

    private String jcmd(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(process.pid()));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed on " + name + ": " + out);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s, or at once if this thread is interrupted). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** {@return a label for tables} */
    static String label(String server) {
        return switch (server) {
            case "curio-virtual" -> "curio, virtual (default)";
            case "curio-continuation" -> "curio, continuation";
            case "netty" -> "Netty epoll, one loop";
            case "vthreads" -> "virtual thread per conn";
            case C_FLOOR -> "C epoll, one thread";
            case PYTHON_CURIO -> "Python curio";
            case "curio-lines" -> "curio line echo (stream)";
            default -> server.toLowerCase(Locale.ROOT);
        };
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100;                                       // Linux's USER_HZ almost everywhere
        }
    }
}
