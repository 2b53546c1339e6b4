package org.curio.bench.echo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the echo comparison of DESIGN.md §8: for each server (curio on both backends, Netty's epoll
 * echo server with one event loop, a virtual-thread-per-connection server), starts it in its own JVM,
 * drives it with {@link LoadClient} through each workload, and prints requests per second and the
 * server's CPU time per request, read from {@code /proc/<pid>/stat} (user plus system time of the
 * whole server process).
 *
 * <pre>{@code
 * java -cp curio-bench/target/benchmarks.jar org.curio.bench.echo.EchoHarness \
 *      [--warmup SECONDS] [--time SECONDS] [--servers a,b,...] [--workloads 1x1000,100x1000,1000x100]
 * }</pre>
 *
 * <p>The system property {@code echo.serverJvmArgs} adds JVM options to every server, for example
 * {@code -XX:StartFlightRecording=filename=server.jfr} to profile them.
 *
 * <p>Defaults: 5 s warm-up and 10 s measured per workload, every server, and the three workloads of
 * the design (1 connection and 100 connections of 1000-byte requests, 1000 connections of 100 bytes).
 * The client runs on one thread of this JVM; on a small machine it competes with the server for
 * cores, which is why CPU per request, not requests per second, is the figure to compare.
 */
public final class EchoHarness {
    private EchoHarness() {}

    /** A workload: {@code connections} connections exchanging {@code size}-byte messages. */
    private record Workload(int connections, int size) {
        static Workload parse(String s) {
            String[] p = s.split("x");
            return new Workload(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        }

        @Override
        public String toString() {
            return connections + " conn x " + size + " B";
        }
    }

    /**
     * Runs the comparison.
     *
     * @param args options, see the class description
     * @throws Exception if a server cannot be started or a workload fails
     */
    public static void main(String[] args) throws Exception {
        Duration warmup = Duration.ofSeconds(5);
        Duration time = Duration.ofSeconds(10);
        List<String> servers = List.of(EchoServers.names());
        List<Workload> workloads = List.of(new Workload(1, 1000), new Workload(100, 1000), new Workload(1000, 100));
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--warmup" -> warmup = Duration.ofMillis((long) (Double.parseDouble(args[i + 1]) * 1000));
                case "--time" -> time = Duration.ofMillis((long) (Double.parseDouble(args[i + 1]) * 1000));
                case "--servers" -> servers = List.of(args[i + 1].split(","));
                case "--workloads" -> workloads = List.of(args[i + 1].split(",")).stream().map(Workload::parse).toList();
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        long ticksPerSecond = clockTicks();
        Map<String, Map<Workload, LoadClient.Result>> results = new LinkedHashMap<>();
        System.out.printf(Locale.ROOT, "echo harness: JDK %s, %d CPUs, warm-up %s, measured %s per workload%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), warmup, time);
        System.out.printf(Locale.ROOT, "%-20s %-22s %12s %18s%n", "server", "workload", "req/s", "server CPU us/req");
        for (String server : servers) {
            Process child = start(server);
            try {
                int port = awaitPort(child, server);
                InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                for (Workload w : workloads) {
                    LoadClient.Result r = LoadClient.run(address, w.connections(), w.size(), warmup, time,
                            () -> cpuNanos(child.pid(), ticksPerSecond));
                    results.computeIfAbsent(server, k -> new LinkedHashMap<>()).put(w, r);
                    System.out.printf(Locale.ROOT, "%-20s %-22s %12.0f %18.2f%n", server, w, r.requestsPerSecond(),
                            r.serverMicrosPerRequest());
                }
            } finally {
                child.destroy();
                if (!child.waitFor(10, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        }
        printRatios(results, workloads);
    }

    private static void printRatios(Map<String, Map<Workload, LoadClient.Result>> results, List<Workload> workloads) {
        Map<Workload, LoadClient.Result> netty = results.get("netty");
        Map<Workload, LoadClient.Result> vthreads = results.get("vthreads");
        for (String server : results.keySet()) {
            if (!EchoServers.isCurio(server)) {
                continue;
            }
            for (Workload w : workloads) {
                LoadClient.Result r = results.get(server).get(w);
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-20s %-22s", server, w));
                if (netty != null && netty.get(w) != null) {
                    line.append(String.format(Locale.ROOT, "  CPU/req vs netty %.2fx (bar <= 1)",
                            r.serverMicrosPerRequest() / netty.get(w).serverMicrosPerRequest()));
                }
                if (vthreads != null && vthreads.get(w) != null) {
                    line.append(String.format(Locale.ROOT, "  vs vthreads %.2fx (bar <= 0.6)",
                            r.serverMicrosPerRequest() / vthreads.get(w).serverMicrosPerRequest()));
                }
                System.out.println(line);
            }
        }
    }

    private static Process start(String server) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (EchoServers.isCurio(server)) {
            command.add("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");   // the continuation backend
        }
        String extra = System.getProperty("echo.serverJvmArgs", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));          // e.g. a JFR recording of the server
        }
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx1g", "-cp",
                System.getProperty("java.class.path"), EchoServers.class.getName(), server));
        Path log = Files.createTempFile("echo-" + server + "-", ".log");
        return new ProcessBuilder(command).redirectError(log.toFile()).start();
    }

    /** {@return the port a server child process announces with its "LISTENING port" line} */
    static int awaitPort(Process child, String server) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    if (l.startsWith("LISTENING ")) {
                        return l;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String l = line.get(30, TimeUnit.SECONDS);
        if (l == null) {
            throw new IOException(server + " server did not start (exit " + child.waitFor() + ")");
        }
        return Integer.parseInt(l.substring("LISTENING ".length()).strip());
    }

    /** {@return user plus system CPU time of process {@code pid}, in nanoseconds} */
    static long cpuNanosOf(long pid) {
        return cpuNanos(pid, clockTicks());
    }

    /** {@return user plus system CPU time of process {@code pid}, in nanoseconds, from /proc/pid/stat} */
    private static long cpuNanos(long pid, long ticksPerSecond) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);   // utime, stime (fields 14, 15)
            return ticks * 1_000_000_000L / ticksPerSecond;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
