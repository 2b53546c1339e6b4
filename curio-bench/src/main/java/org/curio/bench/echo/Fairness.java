package org.curio.bench.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.curio.io.Network;
import org.curio.kernel.CoroutineBackend;
import org.curio.kernel.Kernel;
import org.jspecify.annotations.Nullable;

/**
 * Measures fairness (RELIABILITY.md R21): while one client streams to an echo server as fast as it can
 * (one thread writes, another reads the echoes back), a probe client sends one byte, waits for it to
 * come back, sleeps about 10 ms, and repeats. Reports the probe's round-trip p50, p99 and worst, and
 * how many bytes the streamer got echoed, for each server, each in its own process: curio on both
 * backends, Netty's epoll echo server with one event loop, a JDK virtual thread per connection (all
 * from {@link EchoServers}), and a C server with a thread per connection, compiled with {@code gcc} at
 * run time from {@code curio-bench/src/main/c/echo_threads.c} into {@code curio-bench/target/}.
 *
 * <pre>{@code
 * java -cp curio-bench/target/benchmarks.jar org.curio.bench.echo.Fairness \
 *      [--warmup SECONDS] [--time SECONDS] [--servers a,b,...] [--c-source PATH]
 * }</pre>
 *
 * <p>Defaults: 2 s warm-up (streaming and probing, not recorded), 10 s measured, every server. Run it
 * from the repository's root (or pass {@code --c-source}); without {@code gcc} the C server is skipped.
 * A server named {@code curio-virtual@N} or {@code curio-continuation@N} is curio's echo server (the same
 * loop as {@link EchoServers}') on a kernel with a cooperative budget of {@code N}, to compare budgets.
 */
public final class Fairness {
    private static final int CHUNK = 64 * 1024;
    private static final Duration PROBE_PAUSE = Duration.ofMillis(10);
    private static final String C_SERVER = "c-threads";

    private Fairness() {}

    /**
     * What one server measured.
     *
     * @param samples     the probe's round trips, in nanoseconds, sorted
     * @param streamBytes bytes echoed back to the streamer during the measurement
     * @param seconds     the measurement's length
     */
    record Result(long[] samples, long streamBytes, double seconds) {
        double percentileMillis(double p) {
            if (samples.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100 * samples.length) - 1;
            return samples[Math.max(0, Math.min(samples.length - 1, i))] / 1e6;
        }
    }

    /**
     * Runs the comparison.
     *
     * @param args options, see the class description
     * @throws Exception if a server cannot be started or a client fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("serve")) {
            serveWithBudget(args[1]);
            return;
        }
        Duration warmup = Duration.ofSeconds(2);
        Duration time = Duration.ofSeconds(10);
        List<String> servers = new ArrayList<>(List.of(EchoServers.names()));
        servers.add(C_SERVER);
        Path cSource = Path.of("curio-bench", "src", "main", "c", "echo_threads.c");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--warmup" -> warmup = Duration.ofMillis((long) (Double.parseDouble(args[i + 1]) * 1000));
                case "--time" -> time = Duration.ofMillis((long) (Double.parseDouble(args[i + 1]) * 1000));
                case "--servers" -> servers = List.of(args[i + 1].split(","));
                case "--c-source" -> cSource = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "fairness: JDK %s, %d CPUs, warm-up %s, measured %s, probe pause %s%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), warmup, time, PROBE_PAUSE);
        System.out.printf(Locale.ROOT, "%-20s %8s %10s %10s %10s %14s%n", "server", "probes", "p50 ms", "p99 ms",
                "worst ms", "stream MB/s");
        for (String server : servers) {
            Process child = start(server, cSource);
            if (child == null) {
                System.out.printf(Locale.ROOT, "%-20s skipped: no C compiler or source%n", server);
                continue;
            }
            try {
                int port = EchoHarness.awaitPort(child, server);
                Result r = measure(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), warmup, time);
                System.out.printf(Locale.ROOT, "%-20s %8d %10.2f %10.2f %10.2f %14.0f%n", server, r.samples().length,
                        r.percentileMillis(50), r.percentileMillis(99), r.percentileMillis(100),
                        r.streamBytes() / 1e6 / r.seconds());
            } finally {
                child.destroy();
                if (!child.waitFor(10, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        }
    }

    // ------------------------------------------------------------------ the clients

    private static Result measure(InetSocketAddress address, Duration warmup, Duration time) throws Exception {
        try (Socket stream = new Socket(); Socket probe = new Socket()) {
            stream.setTcpNoDelay(true);
            stream.connect(address);
            probe.setTcpNoDelay(true);
            probe.connect(address);
            AtomicLong echoed = new AtomicLong();
            Thread writer = Thread.ofPlatform().daemon().name("fairness-stream-writer").start(() -> {
                byte[] chunk = new byte[CHUNK];
                try {
                    OutputStream out = stream.getOutputStream();
                    while (true) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    // the socket was closed: the measurement is over
                }
            });
            Thread reader = Thread.ofPlatform().daemon().name("fairness-stream-reader").start(() -> {
                byte[] buf = new byte[CHUNK];
                try {
                    InputStream in = stream.getInputStream();
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        echoed.addAndGet(n);
                    }
                } catch (IOException e) {
                    // the socket was closed: the measurement is over
                }
            });
            probe(probe, System.nanoTime() + warmup.toNanos(), null);
            long bytesBefore = echoed.get();
            long start = System.nanoTime();
            List<Long> samples = new ArrayList<>();
            probe(probe, start + time.toNanos(), samples);
            double seconds = (System.nanoTime() - start) / 1e9;
            long bytes = echoed.get() - bytesBefore;
            stream.shutdownOutput();                         // ends the streamer's threads
            stream.shutdownInput();
            writer.join(5_000);
            reader.join(5_000);
            long[] sorted = samples.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(sorted);
            return new Result(sorted, bytes, seconds);
        }
    }

    /** Sends one byte, waits for it, pauses; until {@code end}; records each round trip if asked. */
    private static void probe(Socket probe, long end, @Nullable List<Long> samples) throws IOException, InterruptedException {
        OutputStream out = probe.getOutputStream();
        InputStream in = probe.getInputStream();
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            out.write('p');
            if (in.read() != 'p') {
                throw new IOException("wrong or missing probe echo");
            }
            long rtt = System.nanoTime() - t0;
            if (samples != null) {
                samples.add(rtt);
            }
            Thread.sleep(PROBE_PAUSE);
        }
    }

    // ------------------------------------------------------------------ the servers

    private static @Nullable Process start(String server, Path cSource) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (server.equals(C_SERVER)) {
            Path binary = compileC(cSource);
            if (binary == null) {
                return null;
            }
            command.add(binary.toString());
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            if (EchoServers.isCurio(server)) {
                command.add("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");   // the continuation backend
            }
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx1g", "-cp",
                    System.getProperty("java.class.path")));
            command.addAll(server.contains("@") ? List.of(Fairness.class.getName(), "serve", server)
                    : List.of(EchoServers.class.getName(), server));
        }
        Path log = Files.createTempFile("fairness-" + server + "-", ".log");
        return new ProcessBuilder(command).redirectError(log.toFile()).start();
    }

    /** Serves like {@link EchoServers}' curio server, on a kernel with the budget named after the '@'. */
    private static void serveWithBudget(String spec) throws Exception {
        String[] parts = spec.split("@");
        CoroutineBackend backend = switch (parts[0]) {
            case "curio-virtual" -> CoroutineBackend.VIRTUAL;
            case "curio-continuation" -> CoroutineBackend.CONTINUATION;
            default -> throw new IllegalArgumentException("unknown curio server: " + spec);
        };
        int budget = Integer.parseInt(parts[1]);
        try (Kernel kernel = Kernel.builder().backend(backend).cooperativeBudget(budget).build()) {
            kernel.run(() -> {
                org.curio.io.Socket listening = Network.tcpServerSocket(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        Network.ServerOptions.defaults().withBacklog(EchoServers.BACKLOG));
                System.out.println("LISTENING " + ((InetSocketAddress) listening.localAddress()).getPort());
                System.out.flush();
                Network.runServer(listening, (client, from) -> {
                    client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ByteBuffer buf = ByteBuffer.allocateDirect(16 * 1024);
                    while (client.recvInto(buf.clear()) > 0) {
                        client.sendAll(buf.flip());
                    }
                });
            });
        }
    }

    /** Compiles the C server next to the module's other build output; null if that is not possible. */
    private static @Nullable Path compileC(Path source) throws IOException, InterruptedException {
        if (!Files.isRegularFile(source)) {
            return null;
        }
        Path module = source.toAbsolutePath().getParent().getParent().getParent().getParent();
        Path target = module.resolve("target");
        Files.createDirectories(target);
        Path binary = target.resolve("echo_threads");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-pthread", "-o", binary.toString(), source.toString())
                    .inheritIO().start();
        } catch (IOException noCompiler) {
            return null;
        }
        return gcc.waitFor() == 0 ? binary : null;
    }
}
