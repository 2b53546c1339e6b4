package org.curio.bench.echo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.CoroutineBackend;
import org.curio.kernel.Kernel;
import org.curio.traps.CancelledException;

/**
 * An accept storm: N clients (default 5,000) connect at once, from one thread with non-blocking
 * connects, to an echo server in its own JVM; each sends a 6-byte line and waits for it to come back.
 * Reports how many were served within the time limit and when the last one was, for curio's server
 * ({@link Network#runServer}) at a backlog of 100 (curio's old default) and at the new default (the
 * system's {@code somaxconn}), on both coroutine backends, and Netty 4.2 epoll with one event loop at
 * its default backlog (also {@code somaxconn}), side by side in one run.
 *
 * <pre>
 * java -cp curio-bench/target/benchmarks.jar org.curio.bench.echo.AcceptStorm [clients] [limit seconds] [rounds]
 * </pre>
 *
 * <p>A connection the listen queue has no room for is dropped by the kernel, and the client retries
 * its handshake only after 1 s, then 3 s, 7 s, ...: a served count below N at the limit, or a "last
 * served" time past a second, is that.
 */
public final class AcceptStorm {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final byte[] LINE = "hello\n".getBytes(StandardCharsets.US_ASCII);
    private static final List<String> SERVERS = List.of("curio-virtual-100", "curio-virtual-default",
            "curio-continuation-100", "curio-continuation-default", "netty-default");

    private AcceptStorm() {}

    /**
     * Runs the storm against every server, or runs one server ({@code serve <name>}).
     *
     * @param args {@code [clients] [limit seconds] [rounds]}, or {@code serve <name>}
     * @throws Exception if a server cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("serve")) {
            serve(args[1]);
            return;
        }
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int limitSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.printf(Locale.ROOT, "%d clients at once, limit %d s, %d rounds per server%n",
                clients, limitSeconds, rounds);
        System.out.printf(Locale.ROOT, "%-28s %6s %10s %12s%n", "server", "round", "served", "last (ms)");
        for (int round = 1; round <= rounds; round++) {
            for (String server : SERVERS) {
                Process child = start(server);
                try {
                    int port = EchoHarness.awaitPort(child, server);
                    Result r = storm(new InetSocketAddress(LOOPBACK, port), clients, limitSeconds * 1000L);
                    System.out.printf(Locale.ROOT, "%-28s %6d %5d/%-5d %12d%n", server, round, r.served(), clients,
                            r.lastMs());
                } finally {
                    child.destroyForcibly().waitFor();
                }
                Thread.sleep(2_000);          // let TIME_WAIT and the kernel's queues settle between servers
            }
        }
    }

    /**
     * What a storm found.
     *
     * @param served clients whose line came back within the limit
     * @param lastMs when the last of them was served, in milliseconds after the first connect
     */
    record Result(int served, long lastMs) {}

    /** Connects {@code clients} at once and counts those served within {@code limitMs}. */
    static Result storm(InetSocketAddress address, int clients, long limitMs) throws IOException {
        int served = 0;
        long last = 0;
        long start = System.nanoTime();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < clients; i++) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                if (ch.connect(address)) {
                    ch.write(ByteBuffer.wrap(LINE));
                    ch.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(16));
                } else {
                    ch.register(selector, SelectionKey.OP_CONNECT, ByteBuffer.allocate(16));
                }
            }
            long deadline = start + limitMs * 1_000_000L;
            int open = clients;
            while (open > 0 && System.nanoTime() < deadline) {
                selector.select(20);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    ByteBuffer buf = (ByteBuffer) key.attachment();
                    try {
                        if (key.isConnectable()) {
                            ch.finishConnect();
                            ch.write(ByteBuffer.wrap(LINE));
                            key.interestOps(SelectionKey.OP_READ);
                        } else if (key.isReadable() && (ch.read(buf) < 0 || buf.position() == LINE.length)) {
                            if (buf.position() == LINE.length) {
                                served++;
                                last = System.nanoTime() - start;
                            }
                            open--;
                            key.cancel();
                            ch.close();
                        }
                    } catch (IOException e) {
                        open--;
                        key.cancel();
                        ch.close();
                    }
                }
                selector.selectedKeys().clear();
            }
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
        }
        return new Result(served, last / 1_000_000L);
    }

    // ------------------------------------------------------------------ the servers, one per JVM

    private static Process start(String server) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java,
                "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), AcceptStorm.class.getName(), "serve", server));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void serve(String name) throws Exception {
        if (name.equals("netty-default")) {
            EchoServers.netty(0);                                   // Netty's default backlog: somaxconn
            return;
        }
        CoroutineBackend backend = name.startsWith("curio-continuation") ? CoroutineBackend.CONTINUATION
                : CoroutineBackend.VIRTUAL;
        Network.ServerOptions options = name.endsWith("-100") ? Network.ServerOptions.defaults().withBacklog(100)
                : Network.ServerOptions.defaults();
        try (Kernel kernel = Kernel.builder().backend(backend).build()) {
            kernel.run(() -> {
                Socket listening = Network.tcpServerSocket(new InetSocketAddress(LOOPBACK, 0), options);
                EchoServers.listening(((InetSocketAddress) listening.localAddress()).getPort());
                Network.runServer(listening, AcceptStorm::curioEcho);
            });
        }
    }

    private static void curioEcho(Socket client, SocketAddress from) throws IOException, CancelledException {
        byte[] data;
        while ((data = client.recv(1024)).length > 0) {
            client.sendAll(data);
        }
    }

}
