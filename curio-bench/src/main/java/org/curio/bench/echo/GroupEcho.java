package org.curio.bench.echo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import org.curio.io.GroupServer;
import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.CoroutineBackend;
import org.curio.kernel.KernelGroup;
import org.curio.traps.CancelledException;

/**
 * One kernel per core against Netty with as many event loops: the echo workloads of
 * {@link EchoHarness}, served by a {@link KernelGroup} of 1 and 2 kernels (one {@code SO_REUSEPORT}
 * listener per kernel, or one acceptor handing connections round robin) and by Netty's epoll echo
 * server with 1 and 2 event loops, each server in its own JVM, one load client; requests per second
 * and the server's CPU per request.
 *
 * <pre>{@code
 * java -cp curio-bench/target/benchmarks.jar org.curio.bench.echo.GroupEcho \
 *      [--warmup SECONDS] [--time SECONDS] [--servers a,b,...] [--workloads 100x1000,1000x100]
 * }</pre>
 *
 * <p>Servers: {@code curio-group-<n>-<backend>} (backend {@code virtual} or {@code continuation}),
 * {@code curio-rr-<n>-<backend>} (round robin), {@code netty-<n>}. Run as a child with
 * {@code serve <server>}.
 */
public final class GroupEcho {
    private static final int BUFFER = 16 * 1024;

    private GroupEcho() {}

    /**
     * Runs the comparison, or one server (arguments {@code serve <server>}).
     *
     * @param args options
     * @throws Exception if a server cannot be started or a workload fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("serve")) {
            serve(args[1]);
            return;
        }
        Duration warmup = Duration.ofSeconds(3);
        Duration time = Duration.ofSeconds(8);
        List<String> servers = List.of("netty-1", "netty-2", "curio-group-1-virtual", "curio-group-2-virtual",
                "curio-group-1-continuation", "curio-group-2-continuation", "curio-rr-2-continuation");
        List<int[]> workloads = List.of(new int[] {100, 1000}, new int[] {1000, 100});
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--warmup" -> warmup = Duration.ofMillis((long) (Double.parseDouble(args[i + 1]) * 1000));
                case "--time" -> time = Duration.ofMillis((long) (Double.parseDouble(args[i + 1]) * 1000));
                case "--servers" -> servers = List.of(args[i + 1].split(","));
                case "--workloads" -> workloads = List.of(args[i + 1].split(",")).stream()
                        .map(w -> new int[] {Integer.parseInt(w.split("x")[0]), Integer.parseInt(w.split("x")[1])})
                        .toList();
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "group echo: JDK %s, %d CPUs, warm-up %s, measured %s per workload%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), warmup, time);
        System.out.printf(Locale.ROOT, "%-28s %-18s %12s %18s%n", "server", "workload", "req/s", "server CPU us/req");
        Map<String, LoadClient.Result> results = new LinkedHashMap<>();
        for (String server : servers) {
            Process child = start(server);
            try {
                int port = EchoHarness.awaitPort(child, server);
                InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                for (int[] w : workloads) {
                    LoadClient.Result r = LoadClient.run(address, w[0], w[1], warmup, time,
                            () -> EchoHarness.cpuNanosOf(child.pid()), () -> {});
                    String workload = w[0] + " conn x " + w[1] + " B";
                    results.put(server + "|" + workload, r);
                    System.out.printf(Locale.ROOT, "%-28s %-18s %12.0f %18.2f%n", server, workload,
                            r.requestsPerSecond(), r.serverMicrosPerRequest());
                }
            } finally {
                child.destroy();
                if (!child.waitFor(10, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        }
        for (Map.Entry<String, LoadClient.Result> e : results.entrySet()) {
            String[] key = e.getKey().split("\\|");
            LoadClient.Result netty2 = results.get("netty-2|" + key[1]);
            if (key[0].startsWith("curio") && netty2 != null) {
                System.out.printf(Locale.ROOT, "%-28s %-18s CPU/req vs netty-2 %.2fx, req/s vs netty-2 %.2fx%n",
                        key[0], key[1], e.getValue().serverMicrosPerRequest() / netty2.serverMicrosPerRequest(),
                        e.getValue().requestsPerSecond() / netty2.requestsPerSecond());
            }
        }
    }

    private static Process start(String server) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");   // the continuation backend
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx1g", "-cp",
                System.getProperty("java.class.path"), GroupEcho.class.getName(), "serve", server));
        Path log = Files.createTempFile("group-echo-" + server + "-", ".log");
        return new ProcessBuilder(command).redirectError(log.toFile()).start();
    }

    // ------------------------------------------------------------------ servers (child processes)

    private static void serve(String server) throws Exception {
        String[] p = server.split("-");
        switch (p[0]) {
            case "netty" -> netty(Integer.parseInt(p[1]));
            case "curio" -> curio(p[1].equals("rr") ? GroupServer.Mode.ROUND_ROBIN : GroupServer.Mode.REUSE_PORT,
                    Integer.parseInt(p[2]), p[3].equals("virtual") ? CoroutineBackend.VIRTUAL : CoroutineBackend.CONTINUATION);
            default -> throw new IllegalArgumentException("unknown server: " + server);
        }
    }

    private static void curio(GroupServer.Mode mode, int kernels, CoroutineBackend backend) throws Exception {
        try (KernelGroup group = KernelGroup.builder().size(kernels).backend(backend).build();
             GroupServer server = Network.serve(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     GroupEcho::echo, Network.ServerOptions.defaults().withBacklog(EchoServers.BACKLOG), mode)) {
            EchoServers.listening(server.address().getPort());
            Thread.sleep(Long.MAX_VALUE);                      // until the harness kills the process
        }
    }

    private static void echo(Socket client, SocketAddress from) throws IOException, CancelledException {
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        while (client.recvInto(buf.clear()) > 0) {
            client.sendAll(buf.flip());
        }
    }

    /** Netty's epoll echo server with {@code loops} event loops, each with its own SO_REUSEPORT listener. */
    private static void netty(int loops) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, EpollIoHandler.newFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, EchoServers.BACKLOG)
                    .option(EpollChannelOption.SO_REUSEPORT, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<EpollSocketChannel>() {
                        @Override
                        protected void initChannel(EpollSocketChannel ch) {
                            ch.pipeline().addLast(EchoServers.NettyEcho.INSTANCE);
                        }
                    });
            Channel first = bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            int port = ((InetSocketAddress) first.localAddress()).getPort();
            List<Channel> all = new ArrayList<>(List.of(first));
            for (int i = 1; i < loops; i++) {                  // one listener per loop, as the group has
                all.add(bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel());
            }
            EchoServers.listening(port);
            first.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
