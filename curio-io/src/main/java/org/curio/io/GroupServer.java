package org.curio.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import org.curio.io.internal.Errno;
import org.curio.io.internal.QuietLog;
import org.curio.io.internal.SynFilter;
import org.curio.kernel.Curio;
import org.curio.kernel.KernelGroup;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.jspecify.annotations.Nullable;

/**
 * One TCP server on every kernel of a {@link KernelGroup}, on one port, with a shutdown that loses
 * no connection. Start it with {@link Network#serve(KernelGroup, InetSocketAddress, Network.ClientHandler)}.
 *
 * {@snippet :
 * try (KernelGroup group = KernelGroup.create();
 *      GroupServer server = Network.serve(group, new InetSocketAddress("127.0.0.1", 8080), (client, address) -> {
 *          byte[] data;
 *          while ((data = client.recv(1000)).length > 0) {
 *              client.sendAll(data);
 *          }
 *      })) {
 *     awaitShutdownRequest();
 * }                                         // close(): stop accepting, drain, close, let clients finish
 * }
 *
 * <p><b>Modes.</b> {@link Mode#REUSE_PORT} (the default) binds one listener per kernel with
 * {@code SO_REUSEPORT}; the system spreads incoming connections over them by a hash of the addresses,
 * and each kernel accepts and serves its own. {@link Mode#ROUND_ROBIN} binds one listener, on
 * kernel 0, which hands every accepted connection to the next kernel in turn (kernel 0 included);
 * the connection's descriptor moves to that kernel before any task waits on it. Either way each
 * client runs as a task of one kernel, as under {@link Network#serve(Listener, Network.ClientHandler)}
 * (a handler's failure is logged and the server goes on).
 *
 * <p><b>Shutdown.</b> {@link #close(Duration)} first makes every listener ignore new connection
 * attempts (a socket filter drops SYN segments), lets handshakes under way complete for a moment,
 * then stops every accept loop, empties every listener's accept queue (each connection found is
 * served like any other), and closes the listeners only once all of them are empty: closing a
 * listener resets every connection still queued on it, so this order is what keeps clients from
 * seeing a reset after they connected. A client that tries to connect meanwhile retransmits its SYN
 * a second later and is then refused. Clients being served get the grace period to finish; those
 * still running are then cancelled.
 */
public final class GroupServer implements AutoCloseable {
    /*
     * Implementation notes. Each kernel runs one server task (submitted to it) that owns a task group
     * of clients; in ROUND_ROBIN mode the acceptor hands a client over with a task submitted to the
     * receiving kernel, which spawns the client's task into that kernel's group. Shutdown is driven
     * from the closing thread through futures: stopAccepting (every server task stops its acceptor and
     * drains), drained[i] (kernel i's listener is empty; kernel 0 has also handed every client over)
     * and, once all are drained, the listeners close and the grace period starts on every kernel.
     */
    private static final System.Logger LOG = System.getLogger("org.curio.io.Network");
    /** How long handshakes under way may still complete after new ones are ignored. */
    static final Duration SETTLE = Duration.ofMillis(100);
    private static final Duration BACKOFF = Duration.ofMillis(100);

    /** How connections reach the kernels. */
    public enum Mode {
        /** One {@code SO_REUSEPORT} listener per kernel; the system spreads connections among them. */
        REUSE_PORT,
        /** One listener on kernel 0, which hands connections to the kernels in turn. */
        ROUND_ROBIN
    }

    private final KernelGroup group;
    private final Mode mode;
    private final InetSocketAddress address;
    private final List<@Nullable Socket> listeners;
    private final Network.ClientHandler<? super Socket> handler;
    private final List<CompletableFuture<Object>> servers = new ArrayList<>();
    private final List<CompletableFuture<Void>> drained = new ArrayList<>();
    private final List<CompletableFuture<TaskGroup<Object>>> clientGroups = new ArrayList<>();
    private final CompletableFuture<Void> stopAccepting = new CompletableFuture<>();
    private final CompletableFuture<Void> allDrained;
    private final AtomicLongArray served;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicInteger turn = new AtomicInteger();
    private volatile Duration grace = Duration.ofSeconds(10);

    private GroupServer(KernelGroup group, Mode mode, InetSocketAddress address, Network.ClientHandler<? super Socket> handler,
            Network.ServerOptions options) throws IOException {
        this.group = group;
        this.mode = mode;
        this.handler = handler;
        int n = group.size();
        this.served = new AtomicLongArray(n);
        this.listeners = new ArrayList<>(n);
        boolean ok = false;
        try {
            InetSocketAddress bound = address;
            for (int i = 0; i < n; i++) {
                if (mode == Mode.ROUND_ROBIN && i > 0) {
                    listeners.add(null);
                    continue;
                }
                Socket s = Network.tcpServerSocket(bound, options.withReusePort(mode == Mode.REUSE_PORT));
                listeners.add(s);
                if (bound.getPort() == 0) {
                    bound = new InetSocketAddress(bound.getAddress(), ((InetSocketAddress) s.localAddress()).getPort());
                }
            }
            this.address = bound;
            ok = true;
        } finally {
            if (!ok) {
                closeListeners();
            }
        }
        for (int i = 0; i < n; i++) {
            drained.add(new CompletableFuture<>());
            clientGroups.add(new CompletableFuture<>());
        }
        this.allDrained = CompletableFuture.allOf(drained.toArray(new CompletableFuture<?>[0]));
        Network.prepareForExhaustion();
        for (int i = 0; i < n; i++) {
            int index = i;
            servers.add(group.submit(index, () -> serveOn(index)));
        }
    }

    /** See {@link Network#serve(KernelGroup, InetSocketAddress, Network.ClientHandler, Network.ServerOptions, Mode)}. */
    static GroupServer start(KernelGroup group, InetSocketAddress address, Network.ClientHandler<? super Socket> handler,
            Network.ServerOptions options, Mode mode) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(mode, "mode");
        if (group.isClosed()) {
            throw new IllegalStateException("cannot serve on " + group + ": it is closed");
        }
        return new GroupServer(group, mode, address, handler, options);
    }

    /** {@return the address the server listens on, with the port chosen when 0 was asked for} */
    public InetSocketAddress address() {
        return address;
    }

    /** {@return how the server spreads connections over the kernels} */
    public Mode mode() {
        return mode;
    }

    /**
     * {@return how many connections each kernel has started to serve so far, in member order}
     */
    public List<Long> served() {
        List<Long> counts = new ArrayList<>(served.length());
        for (int i = 0; i < served.length(); i++) {
            counts.add(served.get(i));
        }
        return counts;
    }

    // ------------------------------------------------------------------ on each kernel

    private @Nullable Object serveOn(int index) throws IOException, CancelledException {
        Socket listener = listeners.get(index);
        QuietLog clientLog = new QuietLog(LOG);
        try {
            TaskGroup.run(TaskGroup.Wait.ALL, clients -> {
                clientGroups.get(index).complete(clients);
                Task<?> acceptor = listener == null ? null : clients.spawnDaemon("acceptor", () -> {
                    acceptLoop(listener, clients, clientLog);
                    return null;
                });
                Curio.awaitFuture(stopAccepting);
                if (acceptor != null) {
                    acceptor.cancel();
                    for (Optional<Socket> c; (c = tryAccept(listener)).isPresent(); ) {
                        dispatch(c.get(), clients, clientLog);
                    }
                    if (mode == Mode.ROUND_ROBIN) {
                        awaitHandOffs();
                    }
                }
                drained.get(index).complete(null);
                Curio.awaitFuture(allDrained);
                if (listener != null) {
                    listener.close();               // empty now, and no new connection can join its queue
                }
                Timeouts.ignoreAfter(grace, () -> {
                    while (clients.nextDone().isPresent()) {
                        // each client's outcome was logged by the kernel or the handler wrapper
                    }
                });
                clients.cancelRemaining();
            });
        } catch (ExecutionException e) {
            throw new IOException("the server on kernel " + index + " could not start", e.getCause());
        } finally {
            if (listener != null) {
                listener.close();
            }
        }
        return null;
    }

    private static Optional<Socket> tryAccept(Socket listener) {
        while (true) {
            try {
                return listener.tryAccept();
            } catch (IOException e) {
                if (!Errno.isTransientAccept(e)) {
                    LOG.log(System.Logger.Level.WARNING, "draining " + listener + " stopped: " + e.getMessage());
                    return Optional.empty();
                }
            }
        }
    }

    private void acceptLoop(Socket listener, TaskGroup<Object> clients, QuietLog log)
            throws IOException, CancelledException {
        while (true) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (Errno.isTransientAccept(e)) {
                    continue;
                }
                if (!Errno.isExhaustion(e)) {
                    throw e;
                }
                log.warn("accept on " + listener + " failed (" + e.getMessage() + "); backing off", Timeouts.clock());
                Timeouts.sleep(BACKOFF);
                continue;
            }
            dispatch(client, clients, log);
        }
    }

    /** Serves {@code client} here (REUSE_PORT), or hands it to the next kernel in turn (ROUND_ROBIN). */
    private void dispatch(Socket client, TaskGroup<Object> here, QuietLog log) throws CancelledException {
        if (mode == Mode.REUSE_PORT) {
            serveIn(here, client, log);
            return;
        }
        int target = Math.floorMod(turn.getAndIncrement(), group.size());
        try {
            group.submit(target, () -> {
                TaskGroup<Object> there = Curio.awaitFuture(clientGroups.get(target));
                serveIn(there, client, log);
                return null;
            });
        } catch (IllegalStateException closed) {
            client.close();                          // the group is closing: nobody will serve it
        }
    }

    private void serveIn(TaskGroup<Object> clients, Socket client, QuietLog log) {
        int index = group.kernels().indexOf(Curio.kernel());
        served.incrementAndGet(index);
        try {
            clients.spawn(() -> {
                Network.serveClient(client, handler, log);
                return null;
            });
        } catch (IllegalStateException joined) {
            client.close();                          // the group has ended (the kernel is closing)
        }
    }

    /** Waits until every client kernel 0 handed over has been taken in by its kernel. */
    private void awaitHandOffs() throws CancelledException {
        List<CompletableFuture<Object>> marks = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            marks.add(group.submit(i, () -> null));   // runs after every hand-off submitted before it
        }
        for (CompletableFuture<Object> m : marks) {
            try {
                Curio.awaitFuture(m);
            } catch (ExecutionException e) {
                LOG.log(System.Logger.Level.WARNING, "a kernel stopped before it took its clients in: " + e.getCause());
            }
        }
    }

    // ------------------------------------------------------------------ shutdown

    /** Shuts the server down with a grace period of ten seconds. See {@link #close(Duration)}. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /**
     * Shuts the server down without resetting any connection (see the class description) and waits
     * until every kernel's server has ended: new connection attempts are ignored, every accept queue is
     * emptied and its connections served, the listeners are closed, and clients still being served
     * after {@code grace} are cancelled. Does nothing if closed already. Call from a thread that is not
     * a curio task of the group.
     *
     * @param grace how long clients being served may take to finish after the listeners are closed
     */
    public void close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        this.grace = grace;
        for (Socket l : listeners) {
            if (l != null && l.isOpen()) {
                try {
                    SynFilter.dropNewConnections(l.fd());
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot make " + l + " ignore new connections ("
                            + e.getMessage() + "); connections arriving while it closes may be reset");
                }
            }
        }
        sleep(SETTLE);                               // handshakes under way complete and are accepted
        stopAccepting.complete(null);
        for (CompletableFuture<Object> s : servers) {
            try {
                s.join();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a server of " + group + " ended with " + e.getCause());
            }
        }
        closeListeners();
    }

    private void closeListeners() {
        for (Socket l : listeners) {
            if (l != null) {
                l.close();
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "GroupServer[" + address + ", " + mode + ", " + group + "]";
    }
}
