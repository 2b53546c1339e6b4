package org.curio.bench.echo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * Runs the echo comparison of DESIGN.md §8 and prints it as a markdown table ready for RESULTS.md.
 *
 * <p>Servers, each in a process of its own ({@link ServerProcess}): curio on both backends
 * ({@code curio-virtual}, the default, and {@code curio-continuation}), Netty's epoll echo server with
 * one event loop ({@code netty}), a JDK virtual thread per connection over blocking sockets
 * ({@code vthreads}), the C floor ({@code c-epoll}: one thread, one epoll set, source in
 * {@code curio-bench/src/main/c/echo_epoll.c}, packed into the jar and compiled at run time with
 * {@code cc -O2} into a temporary directory) and Python curio ({@code python-curio}: the script
 * {@code echo_curio.py} beside this class in the jar, run with {@code python3}). For each workload and
 * server, {@link LoadClient} drives it for a warm-up and a measurement; the harness reads the server's
 * CPU time from {@code /proc/<pid>/stat} (user plus system time of the whole process) and, at the end of
 * the measurement with every connection still open, its resident memory ({@code VmRSS}, and the peak
 * {@code VmHWM}) from {@code /proc/<pid>/status}.
 *
 * <pre>{@code
 * java -cp curio-bench/target/benchmarks.jar org.curio.bench.echo.EchoHarness \
 *      [--warmup SECONDS] [--time SECONDS] [--rounds N] [--servers a,b,...] \
 *      [--workloads 100x1000,1000x100,1x1000] [--server-jvm-args "-Xmx1g"] [--c-source PATH] \
 *      [--idle N]
 * }</pre>
 *
 * <p>Defaults: 5 s warm-up and 10 s measured per workload, 3 rounds, every server, the three workloads
 * (100 connections of 1000-byte requests, 1000 connections of 100 bytes, 1 connection of 1000 bytes).
 * Within a round every workload runs on every server in turn, each in a fresh process, the order of the
 * servers rotated from round to round, so that noise from the rest of the machine hits all of them
 * alike; {@code --servers curio-lines} adds curio's line echo over a buffered stream, which is not in
 * the default list. The table gives the medians of the rounds, and the ratios of the medians of CPU time per
 * request against Netty, the virtual-thread server, the C floor and Python curio.
 *
 * <p>What is skipped, with the reason printed: the C floor when there is no {@code cc} on the
 * {@code PATH} (or it fails), Python curio when there is no {@code python3} or it cannot
 * {@code import curio} (curio is not required; {@code pip install --user curio==1.6} makes it
 * importable). The version of curio found is printed; the comparison was written against 1.6.
 *
 * <p>Every JVM server gets the same options: {@code --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED
 * --enable-native-access=ALL-UNNAMED}, then {@code --server-jvm-args} (default {@code -Xmx1g}; e.g.
 * {@code "-Xmx256m -XX:+UseSerialGC"} to compare footprints on a small heap), then the system property
 * {@code echo.serverJvmArgs} (for example {@code -XX:StartFlightRecording=filename=server.jfr} to profile
 * them). With {@code -XX:NativeMemoryTracking=summary} among them the harness also prints each JVM's
 * committed native memory by category at the end of each measurement.
 *
 * <p>{@code --idle N} measures the footprint instead of the load: see {@link IdleConnections}.
 *
 * <p>The client runs on one thread of this JVM; on a small machine it competes with the server for
 * cores, which is why CPU per request, not requests per second, is the figure to compare.
 */
public final class EchoHarness {
    private EchoHarness() {}

    /** A workload: {@code connections} connections exchanging {@code size}-byte messages. */
    private record Workload(int connections, int size) {
        static Workload parse(String s) {
            String[] p = s.split("x");
            if (p.length != 2) {
                throw new IllegalArgumentException("a workload is CONNECTIONSxBYTES, e.g. 100x1000, not " + s);
            }
            return new Workload(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,d conn × %,d B", connections, size);
        }
    }

    /** One measurement of one server on one workload. */
    private record Sample(LoadClient.Result load, ServerProcess.Memory memory) {}

    /** The options of a run. */
    private static final class Options {
        Duration warmup = Duration.ofSeconds(5);
        Duration time = Duration.ofSeconds(10);
        int rounds = 3;
        List<String> servers = allServers();
        List<Workload> workloads = List.of(new Workload(100, 1000), new Workload(1000, 100), new Workload(1, 1000));
        List<String> jvmArgs = List.of("-Xmx1g");
        @Nullable Path cSource;
        int idle;

        static Options parse(String[] args) {
            Options o = new Options();
            if (args.length % 2 != 0) {
                throw new IllegalArgumentException("every option takes a value: " + String.join(" ", args));
            }
            for (int i = 0; i < args.length; i += 2) {
                String v = args[i + 1];
                switch (args[i]) {
                    case "--warmup" -> o.warmup = seconds(v);
                    case "--time" -> o.time = seconds(v);
                    case "--rounds" -> o.rounds = Integer.parseInt(v);
                    case "--servers" -> o.servers = List.of(v.split(","));
                    case "--workloads" -> o.workloads = Stream.of(v.split(",")).map(Workload::parse).toList();
                    case "--server-jvm-args" -> o.jvmArgs = words(v);
                    case "--c-source" -> o.cSource = Path.of(v);
                    case "--idle" -> o.idle = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option: " + args[i]
                            + " (--warmup, --time, --rounds, --servers, --workloads, --server-jvm-args, --c-source, --idle)");
                }
            }
            List<String> known = new ArrayList<>(allServers());
            known.addAll(List.of(EchoServers.extraNames()));
            for (String s : o.servers) {
                if (!known.contains(s)) {
                    throw new IllegalArgumentException("unknown server: " + s + " (" + String.join(", ", known) + ")");
                }
            }
            if (o.rounds < 1) {
                throw new IllegalArgumentException("--rounds must be at least 1: " + o.rounds);
            }
            List<String> all = new ArrayList<>(o.jvmArgs);
            all.addAll(words(System.getProperty("echo.serverJvmArgs", "")));
            o.jvmArgs = List.copyOf(all);
            return o;
        }

        private static Duration seconds(String v) {
            return Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
        }

        private static List<String> words(String v) {
            return v.isBlank() ? List.of() : List.of(v.strip().split("\\s+"));
        }
    }

    /** {@return every server, in the order of the table} */
    static List<String> allServers() {
        List<String> all = new ArrayList<>(List.of(EchoServers.names()));
        all.add(ServerProcess.C_FLOOR);
        all.add(ServerProcess.PYTHON_CURIO);
        return List.copyOf(all);
    }

    /**
     * Runs the comparison.
     *
     * @param args options, see the class description
     * @throws Exception if a server cannot be started or a workload fails
     */
    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        ServerProcess.Externals externals = new ServerProcess.Externals(o.cSource);
        try {
            run(o, externals);
        } finally {
            externals.delete();
        }
    }

    private static void run(Options o, ServerProcess.Externals externals) throws Exception {
        List<String> servers = new ArrayList<>();
        for (String s : o.servers) {
            String skip = externals.skipReason(s);
            if (skip.isEmpty()) {
                servers.add(s);
            } else {
                System.out.printf(Locale.ROOT, "%s skipped: %s%n", s, skip);
            }
        }
        System.out.printf(Locale.ROOT, "echo harness: JDK %s, %d CPUs, server JVM options %s%s%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), String.join(" ", o.jvmArgs),
                servers.contains(ServerProcess.PYTHON_CURIO)
                        ? ", Python curio " + externals.pythonCurioVersion + (externals.pythonCurioVersion.equals("1.6")
                                ? "" : " (written against 1.6)") : "");
        if (servers.isEmpty()) {
            System.out.println("no server to run");
            return;
        }
        if (o.idle > 0) {
            IdleConnections.run(servers, o.jvmArgs, externals, o.idle);
            return;
        }
        System.out.printf(Locale.ROOT, "warm-up %s, measured %s per workload, %d round(s)%n", o.warmup, o.time, o.rounds);
        System.out.printf(Locale.ROOT, "%-5s %-20s %-18s %10s %10s %9s %9s%n",
                "round", "server", "workload", "req/s", "CPU us/req", "RSS MiB", "peak MiB");
        Map<String, Map<Workload, List<Sample>>> samples = new LinkedHashMap<>();
        for (int round = 0; round < o.rounds; round++) {
            for (Workload w : o.workloads) {
                for (int k = 0; k < servers.size(); k++) {
                    String server = servers.get((k + round) % servers.size());   // rotated each round
                    Sample s = measure(server, w, o, externals);
                    samples.computeIfAbsent(server, x -> new LinkedHashMap<>())
                            .computeIfAbsent(w, x -> new ArrayList<>()).add(s);
                    System.out.printf(Locale.ROOT, "%-5d %-20s %-18s %10.0f %10.2f %9.1f %9.1f%n", round + 1, server, w,
                            s.load.requestsPerSecond(), s.load.serverMicrosPerRequest(),
                            s.memory.rssKiB() / 1024.0, s.memory.peakKiB() / 1024.0);
                }
            }
        }
        printTable(samples, servers, o.workloads);
    }

    private static Sample measure(String server, Workload w, Options o, ServerProcess.Externals externals)
            throws Exception {
        try (ServerProcess p = ServerProcess.start(server, o.jvmArgs, externals)) {
            ServerProcess.Memory[] memory = new ServerProcess.Memory[1];
            LoadClient.Result r = LoadClient.run(p.address, w.connections(), w.size(), o.warmup, o.time, p::cpuNanos,
                    () -> {
                        memory[0] = p.memory();
                        if (p.jvm && o.jvmArgs.stream().anyMatch(a -> a.startsWith("-XX:NativeMemoryTracking"))) {
                            printNativeMemory(p, w);
                        }
                    });
            return new Sample(r, memory[0]);
        }
    }

    private static void printNativeMemory(ServerProcess p, Workload w) {
        try {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  NMT %s, %s, committed MiB:", p.name, w));
            p.nativeMemory().forEach((category, kib) -> {
                if (kib >= 1024) {
                    line.append(String.format(Locale.ROOT, " %s %.0f;", category, kib / 1024.0));
                }
            });
            System.out.println(line);
        } catch (IOException | InterruptedException e) {
            System.out.println("  NMT " + p.name + ": " + e.getMessage());
        }
    }

    private static double median(List<Sample> samples, ToDoubleFunction<Sample> f) {
        double[] v = samples.stream().mapToDouble(f).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static void printTable(Map<String, Map<Workload, List<Sample>>> samples, List<String> servers,
                                   List<Workload> workloads) {
        List<String> references = List.of("netty", "vthreads", ServerProcess.C_FLOOR, ServerProcess.PYTHON_CURIO);
        System.out.println();
        StringBuilder header = new StringBuilder("| workload | server | req/s | server CPU µs/req | RSS MiB | peak RSS MiB |");
        StringBuilder rule = new StringBuilder("|---|---|---:|---:|---:|---:|");
        for (String ref : references) {
            header.append(" CPU vs ").append(ServerProcess.label(ref)).append(" |");
            rule.append("---:|");
        }
        System.out.println(header);
        System.out.println(rule);
        for (Workload w : workloads) {
            Map<String, Double> cpu = new LinkedHashMap<>();
            for (String server : servers) {
                cpu.put(server, median(samples.get(server).get(w), s -> s.load.serverMicrosPerRequest()));
            }
            for (String server : servers) {
                List<Sample> ss = samples.get(server).get(w);
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.2f | %.0f | %.0f |",
                        w, ServerProcess.label(server), median(ss, s -> s.load.requestsPerSecond()), cpu.get(server),
                        median(ss, s -> s.memory.rssKiB() / 1024.0), median(ss, s -> s.memory.peakKiB() / 1024.0)));
                for (String ref : references) {
                    Double base = cpu.get(ref);
                    row.append(base == null || ref.equals(server) ? " — |"
                            : String.format(Locale.ROOT, " %.2f× |", cpu.get(server) / base));
                }
                System.out.println(row);
            }
        }
        System.out.println();
        System.out.println("(medians of the rounds; RSS = VmRSS at the end of the measurement, peak = VmHWM)");
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
        return ServerProcess.cpuNanos(pid);
    }
}
