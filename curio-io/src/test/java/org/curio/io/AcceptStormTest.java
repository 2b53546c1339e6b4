package org.curio.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Ledger;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RELIABILITY.md's accept storm: a curio echo server with the default backlog (100) receives a burst
 * of 500 connection attempts (times {@code -Dcurio.stress}) released at once from plain platform
 * threads on loopback. Every client is served, nothing fails, and afterwards the process holds the
 * descriptors it held before and the server kernel's ledger is empty.
 */
class AcceptStormTest {
    private static final int CLIENTS = 500 * Integer.getInteger("curio.stress", 1);
    private static final int CLIENT_TIMEOUT_MS = 8_000;

    /** A burst of 500 simultaneous connects is fully served with no error, no fd leak and an empty ledger. */
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

        AtomicInteger echoed = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>(CLIENTS);
        try {
            InetSocketAddress address = bound.get(10, TimeUnit.SECONDS);
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                clients.add(Thread.ofPlatform().name("storm-client-" + id).start(() -> {
                    try {
                        go.await();
                        client(address, id);
                        echoed.incrementAndGet();
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            go.countDown();                                  // every client connects at once
            for (Thread t : clients) {
                t.join(CLIENT_TIMEOUT_MS + 2_000);
            }
        } finally {
            stop.complete(null);
            serverThread.join(10_000);
        }

        assertTrue(clients.stream().noneMatch(Thread::isAlive), "a client thread did not finish");
        errors.forEach(Throwable::printStackTrace);
        assertEquals(List.of(), List.copyOf(errors).stream().map(Throwable::toString).toList());
        assertEquals(CLIENTS, echoed.get(), "clients echoed");
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

    /** One plain blocking client: connect, send a line, read the same line back. */
    private static void client(InetSocketAddress address, int id) throws IOException {
        try (java.net.Socket sock = new java.net.Socket()) {
            sock.connect(address, CLIENT_TIMEOUT_MS);
            sock.setSoTimeout(CLIENT_TIMEOUT_MS);
            String line = "hello " + id;
            OutputStream out = sock.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(sock.getInputStream(),
                    StandardCharsets.US_ASCII));
            String echo = in.readLine();
            if (!line.equals(echo)) {
                throw new IOException("client " + id + " got " + echo);
            }
        }
    }
}
