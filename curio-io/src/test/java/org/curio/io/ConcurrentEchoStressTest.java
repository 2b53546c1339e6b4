package org.curio.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RELIABILITY.md's figure R9, CI variant: 2,000 concurrent echo connections for 10 s (the duration
 * times {@code -Dcurio.stress}), server and clients in two kernels on two threads, on the real clock:
 * no error, and afterwards every descriptor closed and both kernels' ledgers empty.
 */
class ConcurrentEchoStressTest {
    private static final int STRESS = Integer.getInteger("curio.stress", 1);
    private static final int CONNECTIONS = 2_000;
    private static final Duration DURATION = Duration.ofSeconds(10L * STRESS);

    /** 2,000 connections echo 100-byte messages for 10 s without a single error or leak. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twoThousandConnections() throws Exception {
        TreeMap<Integer, String> before = IoHarness.openFds();
        CompletableFuture<SocketAddress> bound = new CompletableFuture<>();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        AtomicLong served = new AtomicLong();
        Kernel serverKernel = Kernel.create();
        Thread serverThread = Thread.ofPlatform().name("r9-server").start(() -> runServer(serverKernel, bound,
                stop, served));
        AtomicLong requests = new AtomicLong();
        long[] errors = new long[1];
        try (Kernel clientKernel = Kernel.create()) {
            SocketAddress address = bound.get(10, TimeUnit.SECONDS);
            clientKernel.run(() -> {
                long deadline = Timeouts.clock() + DURATION.toNanos();
                try (TaskGroup<Object> group = TaskGroup.open()) {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        int id = i;
                        group.spawn(() -> client(address, id, deadline, requests));
                    }
                    group.join();
                    for (var failure : group.exceptions()) {
                        if (failure.isPresent()) {
                            errors[0]++;
                            failure.get().printStackTrace();
                        }
                    }
                }
                return null;
            });
            assertTrue(clientKernel.ledger().registrations() == 0, () -> "client kernel: " + clientKernel.ledger());
        } finally {
            stop.complete(null);
            serverThread.join(10_000);
        }
        assertEquals(0, errors[0]);
        assertTrue(serverKernel.ledger().isEmpty(), () -> "server kernel: " + serverKernel.ledger());
        IoHarness.assertNoNewFds(before);
        assertTrue(requests.get() >= CONNECTIONS, "requests: " + requests.get());
        System.out.printf("R9: %d connections, %d requests in %s (%.0f req/s), %d echoed by the server%n",
                CONNECTIONS, requests.get(), DURATION, requests.get() / (double) DURATION.toSeconds(), served.get());
    }

    private static void runServer(Kernel kernel, CompletableFuture<SocketAddress> bound, CompletableFuture<Void> stop,
                                  AtomicLong served) {
        try (kernel) {
            kernel.run(() -> {
                Socket listening = Network.tcpServerSocket(new InetSocketAddress(IoHarness.LOOPBACK, 0),
                        Network.ServerOptions.defaults().withBacklog(CONNECTIONS));
                bound.complete(listening.localAddress());
                Task<?> server = Curio.spawn(() -> Network.runServer(listening, (client, from) -> {
                    ByteBuffer buf = ByteBuffer.allocateDirect(100);
                    while (true) {
                        buf.clear();
                        while (buf.hasRemaining()) {
                            if (client.recvInto(buf) < 0) {
                                return;
                            }
                        }
                        client.sendAll(buf.flip());
                        served.incrementAndGet();
                    }
                }));
                Curio.awaitFuture(stop);
                server.cancel();
                return null;
            });
        } catch (Exception e) {
            bound.completeExceptionally(e);
            throw new IllegalStateException("server kernel failed", e);
        }
    }

    private static void client(SocketAddress address, int id, long deadline, AtomicLong requests)
            throws IOException, CancelledException {
        try (Socket sock = Socket.open(Family.INET, Type.STREAM)) {
            sock.connect(address);
            ByteBuffer out = ByteBuffer.allocate(100);
            ByteBuffer in = ByteBuffer.allocate(100);
            for (long n = 0; n == 0 || Timeouts.clock() < deadline; n++) {
                out.clear().putInt(0, id).putLong(4, n);
                sock.sendAll(out);
                in.clear();
                while (in.hasRemaining()) {
                    if (sock.recvInto(in) < 0) {
                        throw new IOException("connection " + id + " closed by the server");
                    }
                }
                if (!in.flip().equals(out.flip())) {
                    throw new IOException("connection " + id + " got a wrong echo");
                }
                requests.incrementAndGet();
            }
        }
    }
}
