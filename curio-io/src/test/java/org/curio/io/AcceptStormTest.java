package org.curio.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Ledger;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RELIABILITY.md's accept storm: a curio echo server with the default backlog (the system's
 * {@code somaxconn}) receives 5,000 connection attempts (times {@code -Dcurio.stress}) started at once
 * by non-blocking connects from one thread on loopback. Every client is served within a loose bound
 * (at a backlog of 100 the listen queue overflows, dropped handshakes are retried only after a second
 * or more, and clients go unserved for a long time), nothing fails, and afterwards the process holds
 * the descriptors it held before and the server kernel's ledger is empty.
 */
class AcceptStormTest {
    private static final int CLIENTS = 5000 * Integer.getInteger("curio.stress", 1);
    private static final long SERVED_WITHIN_MS = 5_000;

    /** The default backlog is the system's somaxconn, or 4096 where it cannot be read. */
    @Test
    void defaultBacklogIsSomaxconn() throws IOException {
        java.io.File file = new java.io.File("/proc/sys/net/core/somaxconn");
        int expected = 4096;
        if (file.canRead()) {
            try (java.io.FileInputStream in = new java.io.FileInputStream(file)) {
                expected = Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
            }
        }
        assertTrue(expected > 100, "somaxconn " + expected);
        assertEquals(expected, Network.ServerOptions.defaults().backlog());
    }

    /** A burst of simultaneous connects is fully served, in bounded time, with no error or leak. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void burstOfConnectionsIsServed() throws Exception {
        warmUpJdkSockets();
        TreeMap<Integer, String> before = IoHarness.openFds();
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        CompletableFuture<Ledger> ledgerAfterServer = new CompletableFuture<>();
        AtomicInteger handled = new AtomicInteger();
        Kernel kernel = Kernel.create();
        Thread serverThread = Thread.ofPlatform().name("accept-storm-server")
                .start(() -> runServer(kernel, bound, stop, ledgerAfterServer, handled));
        Storm storm;
        try {
            storm = Storm.run(bound.get(10, TimeUnit.SECONDS), CLIENTS, SERVED_WITHIN_MS);
        } finally {
            stop.complete(null);
            serverThread.join(10_000);
        }
        System.out.println("accept storm: " + storm);
        assertEquals(List.of(), storm.errors());
        assertEquals(CLIENTS, storm.served(), () -> "clients served within " + SERVED_WITHIN_MS + " ms: " + storm);
        assertEquals(CLIENTS, handled.get(), "clients handled by the server");
        Ledger inside = ledgerAfterServer.get(1, TimeUnit.SECONDS);
        assertTrue(inside.registrations() == 0 && inside.futureWaits() == 0,
                () -> "server task ended while the kernel still held " + inside);
        assertTrue(kernel.ledger().isEmpty(), () -> "kernel left " + kernel.ledger());
        IoHarness.assertNoNewFds(before);
    }

    private static void runServer(Kernel kernel, CompletableFuture<InetSocketAddress> bound,
                                  CompletableFuture<Void> stop, CompletableFuture<Ledger> ledger,
                                  AtomicInteger handled) {
        try (kernel) {
            kernel.run(() -> {
                Socket listening = Network.tcpServerSocket(IoHarness.anyPort(), Network.ServerOptions.defaults());
                bound.complete((InetSocketAddress) listening.localAddress());
                Task<?> server = Curio.spawn(() -> Network.runServer(listening, (client, from) -> {
                    SocketStream stream = client.asStream();
                    stream.write(stream.readLine());
                    handled.incrementAndGet();
                }));
                Curio.awaitFuture(stop);
                server.cancel();
                ledger.complete(Curio.kernel().ledger());
                return null;
            });
        } catch (Exception e) {
            bound.completeExceptionally(e);
            ledger.completeExceptionally(e);
            throw new IllegalStateException("server kernel failed", e);
        }
    }

    /**
     * Uses and closes a plain JDK socket once, so that descriptors the JDK opens for good on first use
     * (the socket pair it dup2s over a closing socket) are in the baseline and not taken for leaks.
     */
    private static void warmUpJdkSockets() throws IOException {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, IoHarness.LOOPBACK);
             java.net.Socket sock = new java.net.Socket(IoHarness.LOOPBACK, server.getLocalPort());
             java.net.Socket accepted = server.accept()) {
            sock.getOutputStream().write('x');
            assertEquals('x', accepted.getInputStream().read());
        }
    }

    /**
     * Clients that connect at once, without blocking, from one thread: each sends a line and waits for
     * it to come back; counts those served before the deadline.
     *
     * @param served  clients whose line came back in time
     * @param errors  what failed, one entry per client
     * @param lastMs  when the last client was served, in milliseconds from the first connect
     */
    record Storm(int served, List<String> errors, long lastMs) {
        private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.US_ASCII);

        static Storm run(InetSocketAddress address, int clients, long withinMs) throws IOException {
            List<String> errors = new ArrayList<>();
            int served = 0;
            long start = System.nanoTime();
            long last = 0;
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < clients; i++) {
                    SocketChannel ch = SocketChannel.open();
                    ch.configureBlocking(false);
                    if (ch.connect(address)) {                   // loopback often connects at once
                        ch.write(ByteBuffer.wrap(HELLO));
                        ch.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(32));
                    } else {
                        ch.register(selector, SelectionKey.OP_CONNECT, ByteBuffer.allocate(32));
                    }
                }
                long deadline = start + withinMs * 1_000_000L;
                int open = clients;
                while (open > 0 && System.nanoTime() < deadline) {
                    selector.select(50);
                    for (SelectionKey key : selector.selectedKeys()) {
                        SocketChannel ch = (SocketChannel) key.channel();
                        ByteBuffer buf = (ByteBuffer) key.attachment();
                        try {
                            if (key.isConnectable()) {
                                ch.finishConnect();
                                ch.write(ByteBuffer.wrap(HELLO));
                                key.interestOps(SelectionKey.OP_READ);
                            } else if (key.isReadable()) {
                                if (ch.read(buf) < 0) {
                                    throw new IOException("end of stream after " + buf.position() + " bytes");
                                }
                                if (buf.position() == 6) {
                                    served++;
                                    last = System.nanoTime() - start;
                                    open--;
                                    key.cancel();
                                    ch.close();
                                }
                            }
                        } catch (IOException e) {
                            errors.add(e.toString());
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
            return new Storm(served, errors, last / 1_000_000L);
        }
    }
}
