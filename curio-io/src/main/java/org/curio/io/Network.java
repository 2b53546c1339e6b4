package org.curio.io;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLException;

import org.curio.io.internal.Errno;
import org.curio.io.internal.Offload;
import org.curio.io.internal.QuietLog;
import org.curio.io.internal.Somaxconn;
import org.curio.kernel.KernelGroup;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.jspecify.annotations.Nullable;

/**
 * Network helpers: servers that run a task per client, connections by name, name lookup off the
 * kernel thread, and a happy-eyeballs connect. Curio: {@code curio.network} and
 * {@code curio.socket}'s lookups.
 *
 * {@snippet :
 * Curio.run(() -> Network.tcpServer("", 25000, (client, address) -> {
 *     byte[] data;
 *     while ((data = client.recv(1000)).length > 0) {
 *         client.sendAll(data);
 *     }
 * }));
 * }
 *
 * <p><b>Servers.</b> {@link #tcpServer}, {@link #unixServer} and {@link #runServer} accept connections
 * until cancelled, each client in its own task of a {@link TaskGroup}; the client socket is closed
 * when its handler returns. They all run {@link #serve}, which does the same over any
 * {@link Listener}, so a protocol's handler can be written once for {@link Connection} and served
 * over TCP, Unix-domain sockets or an in-memory network. A handler's failure does not stop the
 * server. Cancelling the server cancels every client task and waits for it, then closes the
 * listener. If {@code accept} fails for lack of descriptors or memory ({@code EMFILE},
 * {@code ENFILE}, {@code ENOBUFS}, {@code ENOMEM}), the server logs once per burst (and when it
 * ends; bursts that come and go are rate-limited as warnings are), backs off (100 ms, doubling up to
 * 1 s) while established connections keep being served, and resumes by itself. Nothing on that path
 * needs a descriptor (what logging needs is loaded when the server starts), and no {@link Error}
 * other than a {@link VirtualMachineError} ends the accept loop.
 *
 * <p><b>Logging.</b> Servers log through the {@link System.Logger} {@code org.curio.io.Network}, one
 * line per event and no stack traces. A client that resets the connection, breaks the pipe or sends
 * a line too long ({@link LimitExceededException}) is routine: one line at {@code DEBUG}, and its task
 * ends normally. Any other failure of a handler is a crash of its task, which the kernel logs once,
 * with its stack trace, when the task ends (curio's "Task Crash"); the server adds nothing.
 *
 * <p><b>Cancellation.</b> Every method that may wait declares {@link CancelledException}.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/network.py">curio/network.py</a>
 */
public final class Network {
    private static final System.Logger LOG = System.getLogger("org.curio.io.Network");
    private static final Duration BACKOFF_FIRST = Duration.ofMillis(100);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(1);
    /** RFC 8305's recommended connection attempt delay. */
    public static final Duration HAPPY_EYEBALLS_DELAY = Duration.ofMillis(250);

    private Network() {}

    /**
     * Serves one client of a server; the connection is closed when this returns or throws. A handler
     * written for {@link Connection} serves clients of any listener; one written for {@link Socket}
     * may use socket-only calls.
     *
     * @param <C> the kind of connection served
     */
    @FunctionalInterface
    public interface ClientHandler<C extends Connection> {
        /**
         * Serves {@code client}.
         *
         * @param client  the connection, closed by the server when this returns or throws
         * @param address the client's address
         * @throws Exception anything; it is logged and the server goes on
         */
        void handle(C client, SocketAddress address) throws Exception;
    }

    /**
     * How a listening socket is set up.
     *
     * @param backlog      how many connections may wait to be accepted; positive (the system caps it
     *                     to its {@code net.core.somaxconn})
     * @param reuseAddress whether to set {@code SO_REUSEADDR}
     * @param reusePort    whether to set {@code SO_REUSEPORT} (several servers share the port)
     */
    public record ServerOptions(int backlog, boolean reuseAddress, boolean reusePort) {
        /** Checks the backlog. */
        public ServerOptions {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be positive: " + backlog);
            }
        }

        /**
         * {@return the defaults: the system's largest backlog, {@code SO_REUSEADDR} on,
         * {@code SO_REUSEPORT} off}
         *
         * <p>The backlog is the system's {@code net.core.somaxconn} (read once from
         * {@code /proc/sys/net/core/somaxconn}; 4096, Linux's own default, if it cannot be read), as
         * Netty does. Curio's default of 100 loses connections in an accept storm: when thousands of
         * clients connect at once, the listen queue overflows and the kernel drops their handshakes,
         * which the clients then retry only after a second or more. {@code listen(2)} caps a larger
         * backlog to {@code somaxconn} anyway.
         */
        public static ServerOptions defaults() {
            return new ServerOptions(Somaxconn.value(), true, false);
        }

        /**
         * {@return these options with another backlog}
         *
         * @param backlog the backlog
         */
        public ServerOptions withBacklog(int backlog) {
            return new ServerOptions(backlog, reuseAddress, reusePort);
        }

        /**
         * {@return these options with {@code SO_REUSEADDR} set or not}
         *
         * @param on whether to set it
         */
        public ServerOptions withReuseAddress(boolean on) {
            return new ServerOptions(backlog, on, reusePort);
        }

        /**
         * {@return these options with {@code SO_REUSEPORT} set or not}
         *
         * @param on whether to set it
         */
        public ServerOptions withReusePort(boolean on) {
            return new ServerOptions(backlog, reuseAddress, on);
        }
    }

    // ------------------------------------------------------------------ names

    /**
     * Suspends the calling task until {@code host} has been resolved on a virtual thread (the kernel
     * never blocks), and returns its addresses in the resolver's order. A literal address is parsed
     * at once, without suspending. Curio: {@code getaddrinfo}.
     *
     * @param host a name or a literal address
     * @return its addresses, never empty
     * @throws java.net.UnknownHostException if the name is unknown
     * @throws CancelledException            if the task is cancelled or times out while waiting
     */
    public static List<InetAddress> lookup(String host) throws IOException, CancelledException {
        Objects.requireNonNull(host, "host");
        Optional<InetAddress> literal = literal(host);
        if (literal.isPresent()) {
            return List.of(literal.get());
        }
        return Offload.call(() -> List.of(InetAddress.getAllByName(host)));
    }

    private static Optional<InetAddress> literal(String host) {
        try {
            return Optional.of(InetAddress.ofLiteral(host));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------ connections

    /**
     * Suspends the calling task until a TCP connection to {@code host} and {@code port} is open,
     * trying each address of the name in turn. Curio: {@code open_connection}.
     *
     * @param host a name or a literal address
     * @param port the port
     * @return the connected socket
     * @throws IOException        if the name is unknown or no address accepts the connection (the
     *                            failures of the other addresses are suppressed in it)
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public static Socket openConnection(String host, int port) throws IOException, CancelledException {
        return openConnection(host, port, null);
    }

    /**
     * Suspends the calling task until a TCP connection to {@code host} and {@code port}, from
     * {@code source}, is open. Curio: {@code open_connection(..., source_addr=...)}.
     *
     * @param host   a name or a literal address
     * @param port   the port
     * @param source the local address to bind first, or null for any
     * @return the connected socket
     * @throws IOException        if the name is unknown or no address accepts the connection
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public static Socket openConnection(String host, int port, @Nullable InetSocketAddress source)
            throws IOException, CancelledException {
        checkPort(port);
        IOException failure = null;
        for (InetAddress address : lookup(host)) {
            InetSocketAddress target = new InetSocketAddress(address, port);
            try {
                return connect(target, source);
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        throw Objects.requireNonNull(failure);
    }

    /**
     * {@return a connector that opens a TCP connection to {@code host} and {@code port} with
     * {@link #openConnection(String, int)} on every call} Resolves nothing until a connection is
     * asked for. Never suspends.
     *
     * {@snippet :
     * Connector<Socket> server = Network.connector("127.0.0.1", 25000);
     * try (Socket sock = server.connect()) {
     *     sock.sendAll("hello".getBytes(StandardCharsets.US_ASCII));
     * }
     * }
     *
     * @param host a name or a literal address
     * @param port the port
     */
    public static Connector<Socket> connector(String host, int port) {
        Objects.requireNonNull(host, "host");
        checkPort(port);
        return () -> openConnection(host, port);
    }

    static Socket connect(InetSocketAddress target, @Nullable InetSocketAddress source)
            throws IOException, CancelledException {
        Socket sock = Socket.open(familyOf(target.getAddress()), Socket.Type.STREAM);
        boolean ok = false;
        try {
            if (source != null) {
                sock.bind(source);
            }
            sock.connect(target);
            ok = true;
            return sock;
        } finally {
            if (!ok) {
                sock.close();
            }
        }
    }

    /**
     * Suspends the calling task until a connection to the Unix-domain socket at {@code path} is open.
     * Curio: {@code open_unix_connection}.
     *
     * @param path the socket's path
     * @return the connected socket
     * @throws IOException        if nobody listens there
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public static Socket openUnixConnection(Path path) throws IOException, CancelledException {
        Socket sock = Socket.open(Socket.Family.UNIX, Socket.Type.STREAM);
        boolean ok = false;
        try {
            sock.connect(UnixDomainSocketAddress.of(Objects.requireNonNull(path, "path")));
            ok = true;
            return sock;
        } finally {
            if (!ok) {
                sock.close();
            }
        }
    }

    /**
     * Suspends the calling task until a TCP connection to {@code host} is open, racing the name's
     * addresses RFC 8305 style with {@link #HAPPY_EYEBALLS_DELAY} between attempts.
     *
     * @param host a name or a literal address
     * @param port the port
     * @return the first connection to succeed
     * @throws IOException        if the name is unknown or every attempt fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     * @see #happyEyeballs(List, Duration)
     */
    public static Socket happyEyeballs(String host, int port) throws IOException, CancelledException {
        return happyEyeballs(host, port, HAPPY_EYEBALLS_DELAY);
    }

    /**
     * Suspends the calling task until a TCP connection to {@code host} is open, racing its addresses.
     *
     * @param host  a name or a literal address
     * @param port  the port
     * @param delay how long an attempt has before the next one starts
     * @return the first connection to succeed
     * @throws IOException        if the name is unknown or every attempt fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     * @see #happyEyeballs(List, Duration)
     */
    public static Socket happyEyeballs(String host, int port, Duration delay) throws IOException, CancelledException {
        checkPort(port);
        List<InetSocketAddress> targets = new ArrayList<>();
        for (InetAddress a : lookup(host)) {
            targets.add(new InetSocketAddress(a, port));
        }
        return happyEyeballs(targets, delay);
    }

    /**
     * Suspends the calling task until a TCP connection to one of {@code targets} is open: a
     * happy-eyeballs connect (RFC 8305). The targets are reordered so that address families alternate,
     * starting with the family of the first target; attempts start one after another, each
     * {@code delay} after the previous one or as soon as the previous one fails; the first connection
     * to succeed wins, and every other attempt is cancelled and its socket closed.
     *
     * @param targets the addresses to try, in order of preference; resolved, not empty
     * @param delay   how long an attempt has before the next one starts; not negative
     * @return the winning connection
     * @throws ConnectException   if every attempt fails; each failure is suppressed in it
     * @throws CancelledException if the task is cancelled or times out while waiting; every attempt
     *                            is cancelled and closed first
     */
    public static Socket happyEyeballs(List<InetSocketAddress> targets, Duration delay)
            throws IOException, CancelledException {
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(delay, "delay");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no address to connect to");
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        return new HappyEyeballs(interleave(targets), delay).connect();
    }

    /** Reorders addresses so that families alternate, starting with the first one's family. */
    static List<InetSocketAddress> interleave(List<InetSocketAddress> targets) {
        boolean firstIsV6 = Objects.requireNonNull(targets.getFirst(), "target").getAddress() instanceof Inet6Address;
        List<InetSocketAddress> preferred = new ArrayList<>();
        List<InetSocketAddress> other = new ArrayList<>();
        for (InetSocketAddress t : targets) {
            if (t.isUnresolved()) {
                throw new IllegalArgumentException("unresolved address: " + t);
            }
            ((t.getAddress() instanceof Inet6Address) == firstIsV6 ? preferred : other).add(t);
        }
        List<InetSocketAddress> ordered = new ArrayList<>();
        for (int i = 0; i < Math.max(preferred.size(), other.size()); i++) {
            if (i < preferred.size()) {
                ordered.add(preferred.get(i));
            }
            if (i < other.size()) {
                ordered.add(other.get(i));
            }
        }
        return ordered;
    }

    // ------------------------------------------------------------------ servers

    /**
     * Suspends the calling task until a listening TCP socket for {@code host} and {@code port} is
     * ready, with curio's default options. Curio: {@code tcp_server_socket}.
     *
     * @param host the local address or name to bind; {@code ""} for every IPv4 interface
     * @param port the port; 0 for any free one
     * @return the listening socket
     * @throws IOException        if the name is unknown or the address cannot be bound
     * @throws CancelledException if the task is cancelled while the name is resolved
     */
    public static Socket tcpServerSocket(String host, int port) throws IOException, CancelledException {
        return tcpServerSocket(host, port, ServerOptions.defaults());
    }

    /**
     * Suspends the calling task until a listening TCP socket for {@code host} and {@code port} is
     * ready.
     *
     * @param host    the local address or name to bind; {@code ""} for every IPv4 interface
     * @param port    the port; 0 for any free one
     * @param options backlog and reuse options
     * @return the listening socket
     * @throws IOException        if the name is unknown or the address cannot be bound
     * @throws CancelledException if the task is cancelled while the name is resolved
     */
    public static Socket tcpServerSocket(String host, int port, ServerOptions options)
            throws IOException, CancelledException {
        Objects.requireNonNull(host, "host");
        checkPort(port);
        InetAddress address = host.isEmpty() ? InetAddress.ofLiteral("0.0.0.0") : lookup(host).getFirst();
        return tcpServerSocket(new InetSocketAddress(address, port), options);
    }

    /**
     * Creates a listening TCP socket bound to {@code address}. Never suspends.
     *
     * @param address the resolved local address; its family decides the socket's
     * @param options backlog and reuse options
     * @return the listening socket
     * @throws IOException if the address cannot be bound
     */
    public static Socket tcpServerSocket(InetSocketAddress address, ServerOptions options) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Socket sock = Socket.open(familyOf(address.getAddress()), Socket.Type.STREAM);
        boolean ok = false;
        try {
            if (options.reuseAddress()) {
                sock.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            if (options.reusePort()) {
                sock.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            sock.bind(address);
            sock.listen(options.backlog());
            ok = true;
            return sock;
        } finally {
            if (!ok) {
                sock.close();
            }
        }
    }

    /**
     * Serves TCP clients on {@code host} and {@code port} until cancelled, each in its own task.
     * Curio: {@code tcp_server}.
     *
     * @param host    the local address or name to bind; {@code ""} for every IPv4 interface
     * @param port    the port
     * @param handler serves one client
     * @throws IOException        if the address cannot be bound, or accepting fails for good
     * @throws CancelledException when the server is cancelled (its clients have ended by then)
     */
    public static void tcpServer(String host, int port, ClientHandler<? super Socket> handler)
            throws IOException, CancelledException {
        tcpServer(host, port, handler, ServerOptions.defaults());
    }

    /**
     * Serves TCP clients on {@code host} and {@code port} until cancelled, each in its own task.
     *
     * @param host    the local address or name to bind; {@code ""} for every IPv4 interface
     * @param port    the port
     * @param handler serves one client
     * @param options backlog and reuse options
     * @throws IOException        if the address cannot be bound, or accepting fails for good
     * @throws CancelledException when the server is cancelled (its clients have ended by then)
     */
    public static void tcpServer(String host, int port, ClientHandler<? super Socket> handler, ServerOptions options)
            throws IOException, CancelledException {
        Objects.requireNonNull(handler, "handler");
        runServer(tcpServerSocket(host, port, options), handler);
    }

    /**
     * Serves TCP clients on {@code address} on every kernel of {@code group}, with the default options
     * and one {@code SO_REUSEPORT} listener per kernel, and returns at once. See {@link GroupServer}.
     *
     * @param group   the kernels that serve
     * @param address the local address; port 0 chooses a free port, the same for every kernel
     * @param handler serves one client, on the kernel that accepted it
     * @return the running server; close it to shut it down without resetting a connection
     * @throws IOException           if the address cannot be bound
     * @throws IllegalStateException if the group is closed
     */
    public static GroupServer serve(KernelGroup group, InetSocketAddress address, ClientHandler<? super Socket> handler)
            throws IOException {
        return serve(group, address, handler, ServerOptions.defaults(), GroupServer.Mode.REUSE_PORT);
    }

    /**
     * Serves TCP clients on {@code address} on every kernel of {@code group} and returns at once. See
     * {@link GroupServer}. Never suspends; may be called from any thread.
     *
     * @param group   the kernels that serve
     * @param address the local address; port 0 chooses a free port, the same for every kernel
     * @param handler serves one client, on the kernel it was given to
     * @param options backlog and {@code SO_REUSEADDR} ({@code SO_REUSEPORT} follows from {@code mode})
     * @param mode    one listener per kernel, or one acceptor handing connections round robin
     * @return the running server; close it to shut it down without resetting a connection
     * @throws IOException           if the address cannot be bound
     * @throws IllegalStateException if the group is closed
     */
    public static GroupServer serve(KernelGroup group, InetSocketAddress address, ClientHandler<? super Socket> handler,
            ServerOptions options, GroupServer.Mode mode) throws IOException {
        return GroupServer.start(group, address, handler, options, mode);
    }

    /**
     * Creates a listening Unix-domain socket at {@code path}, which must not exist. Never suspends.
     * Curio: {@code unix_server_socket}.
     *
     * @param path    where to create the socket
     * @param backlog how many connections may wait to be accepted
     * @return the listening socket
     * @throws IOException if the path exists or cannot be created
     */
    public static Socket unixServerSocket(Path path, int backlog) throws IOException {
        Objects.requireNonNull(path, "path");
        Socket sock = Socket.open(Socket.Family.UNIX, Socket.Type.STREAM);
        boolean ok = false;
        try {
            sock.bind(UnixDomainSocketAddress.of(path));
            sock.listen(backlog);
            ok = true;
            return sock;
        } finally {
            if (!ok) {
                sock.close();
            }
        }
    }

    /**
     * Serves Unix-domain clients at {@code path} until cancelled, each in its own task, and removes
     * the socket file when it stops. Curio: {@code unix_server}.
     *
     * @param path    where to create the socket; must not exist
     * @param handler serves one client
     * @throws IOException        if the path exists or cannot be created, or accepting fails for good
     * @throws CancelledException when the server is cancelled (its clients have ended by then)
     */
    public static void unixServer(Path path, ClientHandler<? super Socket> handler)
            throws IOException, CancelledException {
        Objects.requireNonNull(handler, "handler");
        Socket sock = unixServerSocket(path, Somaxconn.value());
        try {
            runServer(sock, handler);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    /**
     * Serves clients of the listening socket {@code listening} until cancelled, each in its own task
     * of a task group, and closes it at the end. Curio: {@code run_server}. See
     * {@link #serve(Listener, ClientHandler)}.
     *
     * @param listening a listening socket, owned by the server from now on
     * @param handler   serves one client
     * @throws IOException        if accepting fails for good
     * @throws CancelledException when the server is cancelled (its clients have ended by then)
     */
    public static void runServer(Socket listening, ClientHandler<? super Socket> handler)
            throws IOException, CancelledException {
        serve(Objects.requireNonNull(listening, "listening"), handler);
    }

    /**
     * Serves clients of {@code listener} until cancelled, each in its own task of a task group, and
     * closes the listener at the end: the server loop of {@link #runServer}, {@link #tcpServer} and
     * {@link #unixServer}, over any {@link Listener} (a listening {@link Socket}, or an in-memory one
     * in tests). Each client's connection is closed when its handler returns or throws; a handler's
     * failure is logged (see the class description) and the server goes on. If accepting fails for
     * lack of descriptors or memory, the server backs off and resumes by itself (see the class
     * description); any other failure to accept ends the server with that failure, after its clients
     * have been cancelled.
     *
     * {@snippet :
     * static void echoServer(Listener<? extends Connection> listener) throws IOException, CancelledException {
     *     Network.serve(listener, (client, address) -> {
     *         ByteStream stream = client.asStream();
     *         stream.forEachLine(stream::write);          // echo every line until end of stream
     *     });
     * }
     * }
     *
     * @param listener the listener, owned by the server from now on
     * @param handler  serves one client
     * @param <C>      the kind of connection the listener accepts
     * @throws IOException        if accepting fails for good
     * @throws CancelledException when the server is cancelled (its clients have ended by then)
     */
    public static <C extends Connection> void serve(Listener<C> listener, ClientHandler<? super C> handler)
            throws IOException, CancelledException {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(handler, "handler");
        prepareForExhaustion();
        QuietLog log = new QuietLog(LOG);
        try (listener) {
            TaskGroup.run(TaskGroup.Wait.ALL, group -> {
                QuietLog acceptLog = new QuietLog(LOG);          // bursts that come and go are rate-limited apart
                Task<?> acceptor = group.spawn(() -> acceptLoop(listener, group, handler, acceptLog, log));
                while (true) {
                    Task<?> done = group.nextDone().orElseThrow();   // the acceptor keeps the group busy
                    Throwable failure = done.exception().orElse(null);  // a client's crash: logged by the kernel
                    if (done == acceptor) {
                        throw failure instanceof IOException io ? io
                                : new IOException("accept loop ended unexpectedly", failure);
                    }
                }
            });
        }
    }

    /**
     * Loads, while descriptors remain, what the accept loop needs when they run out: the classes that
     * classify the failure (loaded from a directory, each class file takes a descriptor), and what
     * formatting a log record needs.
     */
    static void prepareForExhaustion() {
        Errno.isExhaustion(Errno.fromErrno("accept", Errno.EMFILE, null));
        QuietLog.prepare();
    }

    /** {@return whether a handler's failure is the peer's doing: a reset, a broken pipe, a line too long} */
    private static boolean isRoutine(Throwable failure) {
        return QuietLog.isPeerGone(failure) || failure instanceof LimitExceededException;
    }

    static <C extends Connection> void acceptLoop(Listener<C> listener, TaskGroup<Object> group,
            ClientHandler<? super C> handler, QuietLog log, QuietLog clientLog)
            throws IOException, CancelledException {
        Duration backoff = Duration.ZERO;
        long burstStart = 0;
        int failures = 0;
        String firstError = "";                               // an Error met in the burst, reported at its end
        while (true) {
            C client = null;
            String reason;
            try {
                client = listener.accept();
                reason = "";
            } catch (IOException e) {
                if (!Errno.isExhaustion(e)) {
                    if (Errno.isTransientAccept(e)) {
                        continue;
                    }
                    throw e;
                }
                reason = String.valueOf(e.getMessage());
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Error e) {
                // Discussion: out of descriptors, loading a class or resource (from a directory, or a
                // logger's data file) fails with an Error such as NoClassDefFoundError. It must not
                // end the server: treat it as part of the burst, back off, and report it afterwards.
                reason = String.valueOf(e);
                if (firstError.isEmpty()) {
                    firstError = reason;
                }
            }
            if (client == null) {
                if (backoff.isZero()) {
                    burstStart = Timeouts.clock();
                    log.warn("accept on " + listener + " failed (" + reason
                            + "); backing off, established connections are still served", burstStart);
                }
                failures++;
                backoff = backoff.isZero() ? BACKOFF_FIRST : min(backoff.multipliedBy(2), BACKOFF_MAX);
                Timeouts.sleep(backoff);
                continue;
            }
            if (!backoff.isZero()) {
                long now = Timeouts.clock();
                String error = firstError.isEmpty() ? "" : "; first error: " + firstError;
                log.warn("accept on " + listener + " works again after " + failures + " failures in "
                        + Duration.ofNanos(now - burstStart) + error, now);
                backoff = Duration.ZERO;
                failures = 0;
                firstError = "";
            }
            C accepted = client;
            group.spawn(() -> serveClient(accepted, handler, clientLog));
        }
    }

    static <C extends Connection> void serveClient(C client, ClientHandler<? super C> handler,
            QuietLog log) throws Exception {
        try (client) {
            SocketAddress address;
            try {
                address = client.remoteAddress();
            } catch (IOException e) {
                return;                                      // the client left before it was served
            }
            try {
                handler.handle(client, address);
            } catch (IOException e) {
                if (isRoutine(e)) {
                    // Discussion: routine for a server, so the task ends normally and nothing reports
                    // it as a crash; one line at DEBUG for whoever looks into a client's fate.
                    log.debug("client " + address + ": " + e.getMessage());
                } else if (e instanceof SSLException) {
                    // A TLS conversation that failed (plaintext or garbage to a TLS port, a bad
                    // certificate, a ragged end): one client's failure, which any client can cause at
                    // will, so it is a rate-limited warning without a stack trace, never a crash
                    // report per client; a server whose own TLS settings are wrong still shows it.
                    log.warn("TLS with client " + address + " failed: " + e.getMessage(), Timeouts.clock());
                } else {
                    throw e;
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Socket.Family familyOf(InetAddress address) {
        return address instanceof Inet6Address ? Socket.Family.INET6 : Socket.Family.INET;
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
