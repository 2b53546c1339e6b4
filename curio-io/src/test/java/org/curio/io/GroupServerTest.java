package org.curio.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.curio.kernel.Curio;
import org.curio.kernel.KernelGroup;
import org.curio.kernel.Timeouts;
import org.curio.sync.UniversalEvent;
import org.curio.sync.UniversalQueue;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Serving one port on every kernel of a group: SO_REUSEPORT and round-robin modes, a shutdown under
 * a connect storm that resets nobody, sockets confined to their kernel, universal primitives between
 * kernels, and nothing left behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupServerTest {
    private static final Network.ClientHandler<Socket> ECHO = (client, address) -> {
        byte[] data;
        while ((data = client.recv(1000)).length > 0) {
            client.sendAll(data);
        }
    };

    private static KernelGroup group(String name) {
        return KernelGroup.builder().size(2).name(name).shutdownTimeout(Duration.ofSeconds(5)).build();
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(IoHarness.LOOPBACK, 0);
    }

    /** One blocking client: connects, sends a line, reads it back, closes; answers what it read. */
    private static String roundTrip(InetSocketAddress address, String line) throws IOException {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(address, 10_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(line.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[line.length()];
            int got = 0;
            while (got < buf.length) {
                int n = in.read(buf, got, buf.length - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
            return new String(buf, 0, got, StandardCharsets.US_ASCII);
        }
    }

    /** {@code clients} clients at once, on virtual threads; every one must be echoed. */
    private static void echoMany(InetSocketAddress address, int clients) throws Exception {
        List<Thread> threads = new ArrayList<>();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < clients; i++) {
            String line = "client " + i + "\n";
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    String got = roundTrip(address, line);
                    if (!got.equals(line)) {
                        wrong.add(line.strip() + " got " + got.strip());
                    }
                } catch (IOException e) {
                    wrong.add(line.strip() + ": " + e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), List.copyOf(wrong));
    }

    /** 200 clients, all echoed, and both kernels served some (the port's hash may need a second batch). */
    @Test
    void reusePortServesOnEveryKernel() throws Exception {
        try (KernelGroup group = group("rp");
             GroupServer server = Network.serve(group, loopback(), ECHO)) {
            int batches = 0;
            do {
                echoMany(server.address(), 200);
                batches++;
            } while (server.served().contains(0L) && batches < 5);
            assertTrue(server.served().stream().allMatch(n -> n > 0), () -> "served per kernel: " + server.served());
            assertEquals(200L * batches, server.served().stream().mapToLong(Long::longValue).sum());
        }
    }

    /** Round robin: one acceptor hands connections to the kernels in turn, so each serves exactly half. */
    @Test
    void roundRobinHandsConnectionsInTurn() throws Exception {
        try (KernelGroup group = group("rr");
             GroupServer server = Network.serve(group, loopback(), ECHO, Network.ServerOptions.defaults(),
                     GroupServer.Mode.ROUND_ROBIN)) {
            echoMany(server.address(), 200);
            assertEquals(List.of(100L, 100L), server.served());
        }
    }

    /**
     * Clients connect flat out while the server shuts down: a client is served, or refused, or times
     * out connecting; none sees its connection reset after connecting.
     */
    @Test
    void shutdownUnderAConnectStormResetsNobody() throws Exception {
        for (GroupServer.Mode mode : GroupServer.Mode.values()) {
            AtomicInteger served = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            ConcurrentLinkedQueue<String> resets = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            try (KernelGroup group = group("storm")) {
                GroupServer server = Network.serve(group, loopback(), ECHO, Network.ServerOptions.defaults(), mode);
                InetSocketAddress address = server.address();
                List<Thread> storm = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    storm.add(Thread.ofPlatform().start(() -> {
                        while (!stop.get()) {
                            try {
                                if (roundTrip(address, "ping\n").equals("ping\n")) {
                                    served.incrementAndGet();
                                } else {
                                    resets.add("short echo");
                                }
                            } catch (ConnectException | SocketTimeoutException e) {
                                refused.incrementAndGet();      // never connected
                            } catch (IOException e) {
                                resets.add(e.toString());
                            }
                        }
                    }));
                }
                while (served.get() < 200) {
                    Thread.sleep(5);
                }
                server.close(Duration.ofSeconds(5));
                stop.set(true);
                for (Thread t : storm) {
                    t.join();
                }
            }
            assertEquals(List.of(), List.copyOf(resets), mode + ": served " + served + ", refused " + refused);
            assertTrue(refused.get() > 0, mode + ": no client tried to connect during the shutdown");
        }
    }

    /**
     * Connections that wait in the accept queue when the server stops are accepted and served, not
     * reset by the listener's close: the kernel is held up (a handler that blocks its thread) while
     * twenty clients connect and the shutdown begins, so they are still queued when it stops accepting.
     */
    @Test
    void queuedConnectionsAreServedWhenTheServerStops() throws Exception {
        Network.ClientHandler<Socket> blockingFirst = (client, address) -> {
            byte[] data = client.recv(1000);
            if (new String(data, StandardCharsets.US_ASCII).equals("block\n")) {
                Thread.sleep(1000);                             // holds the whole kernel, on purpose
            }
            while (data.length > 0) {
                client.sendAll(data);
                data = client.recv(1000);
            }
        };
        try (KernelGroup group = KernelGroup.builder().size(1).name("queued").cooperativeBudget(1).build()) {
            GroupServer server = Network.serve(group, loopback(), blockingFirst);
            InetSocketAddress address = server.address();
            Thread blocker = Thread.ofVirtual().start(() -> {
                try {
                    roundTrip(address, "block\n");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(100);                                  // the kernel is asleep in the handler now
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> queued = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String line = "queued " + i + "\n";
                queued.add(Thread.ofVirtual().start(() -> {
                    try {
                        String got = roundTrip(address, line);
                        if (!got.equals(line)) {
                            failures.add(line.strip() + " got \"" + got + "\"");
                        }
                    } catch (IOException e) {
                        failures.add(line.strip() + ": " + e);
                    }
                }));
            }
            Thread.sleep(200);                                  // all twenty are in the accept queue
            Thread closer = Thread.ofPlatform().start(() -> server.close(Duration.ofSeconds(5)));
            for (Thread t : queued) {
                t.join();
            }
            blocker.join();
            closer.join();
            assertEquals(List.of(), List.copyOf(failures));
            assertEquals(List.of(21L), server.served());
        }
    }

    /** A socket waited on by a task of one kernel is refused to a task of another, naming both kernels. */
    @Test
    void aSocketBelongsToItsKernel() throws Exception {
        try (KernelGroup group = group("own"); Socket.Pair pair = Socket.pair()) {
            CompletableFuture<Void> registered = new CompletableFuture<>();
            CompletableFuture<Void> tried = new CompletableFuture<>();
            List<String> results = group.runOnEach(index -> {
                if (index == 0) {
                    Task<byte[]> reader = Curio.spawn(() -> pair.first().recv(10));
                    Curio.schedule();                          // the reader waits: the socket is registered here
                    registered.complete(null);
                    Curio.awaitFuture(tried);
                    pair.second().sendAll("x".getBytes(StandardCharsets.US_ASCII));
                    return new String(reader.join(), StandardCharsets.US_ASCII);
                }
                Curio.awaitFuture(registered);
                try {
                    pair.first().waitReadable();
                    return "waited";
                } catch (IllegalArgumentException e) {
                    return e.getMessage().replaceAll("tasks=\\d+", "tasks=N");
                } finally {
                    tried.complete(null);
                }
            });
            String b = group.kernel(0).backend().name().toLowerCase(java.util.Locale.ROOT);
            assertEquals("x", results.get(0));
            assertEquals("descriptor fd=" + pair.first().fd() + " belongs to Kernel[own-0, " + b + ", tasks=N], not to"
                    + " the calling task's Kernel[own-1, " + b + ", tasks=N]; a descriptor is used only by tasks of the"
                    + " kernel that first waited on it (close it there, or hand it over before any task waits on it)",
                    results.get(1));
        }
    }

    /**
     * An event on which one kernel's task waits cannot be set by a task of another: the event says so,
     * and its cause, the wait queue's refusal, names both kernels.
     */
    @Test
    void aWaitedOnEventBelongsToItsKernel() throws Exception {
        org.curio.sync.Event event = new org.curio.sync.Event();
        try (KernelGroup group = group("ev")) {
            CompletableFuture<Void> waiting = new CompletableFuture<>();
            CompletableFuture<Void> tried = new CompletableFuture<>();
            List<String> results = group.runOnEach(index -> {
                if (index == 0) {
                    Task<Void> waiter = Curio.spawn(event::await);
                    Curio.schedule();                          // the waiter is parked on the event's queue
                    waiting.complete(null);
                    Curio.awaitFuture(tried);
                    event.set();                               // its own kernel may
                    waiter.join();
                    return "woken";
                }
                Curio.awaitFuture(waiting);
                try {
                    event.set();
                    return "set";
                } catch (IllegalStateException e) {
                    return e.getMessage() + "\n" + e.getCause().getMessage().replaceAll("tasks=\\d+", "tasks=N");
                } finally {
                    tried.complete(null);
                }
            });
            String b = group.kernel(0).backend().name().toLowerCase(java.util.Locale.ROOT);
            assertEquals(List.of("woken", "this Event is used by tasks of two kernels; it belongs to the tasks of one"
                    + " kernel (share a UniversalQueue, UniversalEvent or UniversalResult instead)\n"
                    + "WaitQueue.barrier[waiting=1] belongs to Kernel[ev-0, " + b + ", tasks=N], not to"
                    + " the calling task's Kernel[ev-1, " + b + ", tasks=N]; a wait queue, like the primitive built on"
                    + " it, serves the tasks of one kernel at a time (use a universal primitive to cross kernels)"),
                    results);
        }
    }

    /** A universal queue and a universal event carry items and a signal from one kernel to another. */
    @Test
    void universalPrimitivesWorkBetweenKernels() throws Exception {
        UniversalQueue<Integer> queue = new UniversalQueue<>(8);    // small: the producer waits for room too
        UniversalEvent done = new UniversalEvent();
        try (KernelGroup group = group("uni")) {
            List<Long> results = group.runOnEach(index -> {
                if (index == 0) {
                    for (int i = 1; i <= 1000; i++) {
                        queue.put(i);
                    }
                    Timeouts.after(Duration.ofSeconds(30), done::await);
                    return 0L;
                }
                long sum = 0;
                int last = 0;
                for (int i = 0; i < 1000; i++) {
                    int item = queue.get();
                    assertEquals(last + 1, item);
                    last = item;
                    sum += item;
                }
                done.set();
                return sum;
            });
            assertEquals(List.of(0L, 500_500L), results);
        }
    }

    /** Closing the server and the group leaves no member thread and no descriptor behind. */
    @Test
    void closeLeavesNoThreadAndNoDescriptor() throws Exception {
        TreeMap<Integer, String> before = IoHarness.openFds();
        try (KernelGroup group = group("leak");
             GroupServer server = Network.serve(group, loopback(), ECHO)) {
            echoMany(server.address(), 20);
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("curio-leak-")),
                "a member thread survived close");
        IoHarness.assertNoNewFds(before);
    }
}
