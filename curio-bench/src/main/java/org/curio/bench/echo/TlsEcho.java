package org.curio.bench.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import org.curio.io.Connection;
import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.CoroutineBackend;
import org.curio.kernel.Kernel;
import org.curio.ssl.Tls;
import org.curio.ssl.TlsConnection;
import org.curio.ssl.TlsSettings;
import org.curio.traps.CancelledException;

/**
 * The TLS echo comparison of DESIGN.md §8: curio's TLS echo server (both backends) against Netty's
 * epoll echo server with an {@code SslHandler} on the JDK provider, one event loop, the same
 * certificate (a fresh EC P-256 one from the JDK's keytool), TLS 1.3 and TLS_AES_128_GCM_SHA256 on both.
 * Each server runs in its own JVM; the load comes from blocking JDK TLS sockets, one virtual thread per
 * connection, in this JVM. It prints server CPU time per request for 100 connections exchanging
 * 1000-byte messages, and full handshakes per second of server CPU (sessions are invalidated so none is
 * resumed).
 *
 * <pre>{@code
 * java -cp curio-bench/target/benchmarks.jar org.curio.bench.echo.TlsEcho [--warmup S] [--time S] [--servers a,b]
 * }</pre>
 */
public final class TlsEcho {
    private static final String PROTOCOL = "TLSv1.3";
    private static final String CIPHER = "TLS_AES_128_GCM_SHA256";
    private static final char[] PASSWORD = "bench-pass".toCharArray();
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private TlsEcho() {}

    /**
     * Runs the comparison, or (with {@code serve KIND STORE}) one server.
     *
     * @param args options, see the class description
     * @throws Exception if a server cannot be started or the load fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("serve")) {
            serve(args[1], Path.of(args[2]));
            return;
        }
        Duration warmup = Duration.ofSeconds(5);
        Duration time = Duration.ofSeconds(10);
        List<String> servers = List.of("tls-curio-continuation", "tls-curio-virtual", "tls-netty");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--warmup" -> warmup = Duration.ofMillis((long) (Double.parseDouble(args[i + 1]) * 1000));
                case "--time" -> time = Duration.ofMillis((long) (Double.parseDouble(args[i + 1]) * 1000));
                case "--servers" -> servers = List.of(args[i + 1].split(","));
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        Path store = keyStore();
        SSLContext client = clientContext(store);
        System.out.printf(Locale.ROOT, "TLS echo: JDK %s, %d CPUs, %s %s, warm-up %s, measured %s%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), PROTOCOL, CIPHER, warmup, time);
        System.out.printf(Locale.ROOT, "%-24s %12s %18s %22s%n", "server", "req/s", "server CPU us/req",
                "handshakes/s of CPU");
        List<double[]> rows = new ArrayList<>();
        try {
            for (String server : servers) {
                Process child = start(server, store);
                try {
                    int port = EchoHarness.awaitPort(child, server);
                    InetSocketAddress address = new InetSocketAddress(LOOPBACK, port);
                    double[] echo = echo(client, address, 100, 1000, warmup, time, child.pid());
                    double perCore = handshakes(client, address, warmup.dividedBy(2), time.dividedBy(2), child.pid());
                    rows.add(new double[] {echo[1], perCore});
                    System.out.printf(Locale.ROOT, "%-24s %12.0f %18.2f %22.0f%n", server, echo[0], echo[1], perCore);
                } finally {
                    child.destroy();
                    if (!child.waitFor(10, TimeUnit.SECONDS)) {
                        child.destroyForcibly();
                    }
                }
            }
        } finally {
            Files.deleteIfExists(store);
        }
        int netty = servers.indexOf("tls-netty");
        if (netty >= 0) {
            for (int i = 0; i < servers.size(); i++) {
                if (i != netty) {
                    System.out.printf(Locale.ROOT, "%-24s CPU/req vs netty %.2fx (bar <= 1.0); handshakes per CPU"
                            + " second vs netty %.2fx%n", servers.get(i), rows.get(i)[0] / rows.get(netty)[0],
                            rows.get(i)[1] / rows.get(netty)[1]);
                }
            }
        }
    }

    // ------------------------------------------------------------------ load

    /** {@return requests per second and server CPU microseconds per request} */
    private static double[] echo(SSLContext ctx, InetSocketAddress address, int connections, int size,
            Duration warmup, Duration time, long pid) throws Exception {
        LongAdder requests = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] msg = new byte[size];
                byte[] back = new byte[size];
                try (SSLSocket s = socket(ctx, address)) {
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    while (!stop.get()) {
                        out.write(msg);
                        out.flush();
                        int got = 0;
                        while (got < size) {
                            int n = in.read(back, got, size - got);
                            if (n < 0) {
                                throw new IOException("server closed");
                            }
                            got += n;
                        }
                        requests.increment();
                    }
                } catch (IOException e) {
                    if (!stop.get()) {
                        System.err.println("echo client failed: " + e);
                    }
                }
            }));
        }
        Thread.sleep(warmup);
        long r0 = requests.sum();
        long c0 = EchoHarness.cpuNanosOf(pid);
        long t0 = System.nanoTime();
        Thread.sleep(time);
        long r1 = requests.sum();
        long c1 = EchoHarness.cpuNanosOf(pid);
        long t1 = System.nanoTime();
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        double n = r1 - r0;
        return new double[] {n / ((t1 - t0) / 1e9), (c1 - c0) / 1e3 / n};
    }

    /** {@return full handshakes per second of server CPU, from 8 clients connecting over and over} */
    private static double handshakes(SSLContext ctx, InetSocketAddress address, Duration warmup, Duration time,
            long pid) throws Exception {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    try (SSLSocket s = socket(ctx, address)) {
                        s.startHandshake();
                        s.getOutputStream().write('x');
                        s.getOutputStream().flush();
                        if (s.getInputStream().read() != 'x') {
                            throw new IOException("no echo after the handshake");
                        }
                        s.getSession().invalidate();            // the next one is a full handshake
                        done.increment();
                    } catch (IOException e) {
                        if (!stop.get()) {
                            System.err.println("handshake client failed: " + e);
                        }
                    }
                }
            }));
        }
        Thread.sleep(warmup);
        long h0 = done.sum();
        long c0 = EchoHarness.cpuNanosOf(pid);
        Thread.sleep(time);
        long h1 = done.sum();
        long c1 = EchoHarness.cpuNanosOf(pid);
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        return (h1 - h0) / ((c1 - c0) / 1e9);
    }

    private static SSLSocket socket(SSLContext ctx, InetSocketAddress address) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        s.setTcpNoDelay(true);
        s.setEnabledProtocols(new String[] {PROTOCOL});
        s.setEnabledCipherSuites(new String[] {CIPHER});
        return s;
    }

    // ------------------------------------------------------------------ keys

    private static Path keyStore() throws Exception {
        Path dir = Files.createTempDirectory("tls-echo");
        Path store = dir.resolve("server.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", "server", "-dname", "CN=localhost",
                "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        store.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return store;
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    private static SSLContext clientContext(Path store) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(store));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    // ------------------------------------------------------------------ servers

    private static Process start(String server, Path store) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), TlsEcho.class.getName(), "serve", server,
                store.toString()));
        Path log = Files.createTempFile("tls-echo-" + server + "-", ".log");
        return new ProcessBuilder(command).redirectError(log.toFile()).start();
    }

    private static void serve(String kind, Path store) throws Exception {
        KeyStore keys = load(store);
        switch (kind) {
            case "tls-curio-continuation" -> curio(CoroutineBackend.CONTINUATION, keys);
            case "tls-curio-virtual" -> curio(CoroutineBackend.VIRTUAL, keys);
            case "tls-netty" -> netty(keys);
            default -> throw new IllegalArgumentException("unknown server: " + kind
                    + " (tls-curio-continuation, tls-curio-virtual, tls-netty)");
        }
    }

    private static void curio(CoroutineBackend backend, KeyStore keys) throws Exception {
        // A cold server on a loaded two-core machine may take more than the default 10 s to finish the
        // first hundred handshakes that arrive at once; the comparison is about what follows.
        TlsSettings settings = TlsSettings.server(keys, PASSWORD).withProtocols(PROTOCOL).withCipherSuites(CIPHER)
                .withHandshakeTimeout(Duration.ofSeconds(120));
        try (Kernel kernel = Kernel.builder().backend(backend).build()) {
            kernel.run(() -> {
                Socket listening = Network.tcpServerSocket(new InetSocketAddress(LOOPBACK, 0),
                        Network.ServerOptions.defaults().withBacklog(EchoServers.BACKLOG));
                EchoServers.listening(((InetSocketAddress) listening.localAddress()).getPort());
                Tls.serve(listening, settings, TlsEcho::curioEcho);
            });
        }
    }

    private static void curioEcho(TlsConnection client, SocketAddress from) throws IOException, CancelledException {
        Connection transport = client.transport();
        if (transport instanceof Socket socket) {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        while (client.recvInto(buf.clear()) > 0) {
            client.sendAll(buf.flip());
        }
    }

    private static void netty(KeyStore keys) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SslContext ssl = SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK).protocols(PROTOCOL)
                .ciphers(List.of(CIPHER)).build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, EchoServers.BACKLOG)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<EpollSocketChannel>() {
                        @Override
                        protected void initChannel(EpollSocketChannel ch) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()), EchoServers.NettyEcho.INSTANCE);
                        }
                    })
                    .bind(new InetSocketAddress(LOOPBACK, 0)).sync().channel();
            EchoServers.listening(((InetSocketAddress) server.localAddress()).getPort());
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
