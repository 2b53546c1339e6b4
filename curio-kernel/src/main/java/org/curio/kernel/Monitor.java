package org.curio.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.curio.kernel.internal.monitor.ConsoleSettings;
import org.curio.kernel.internal.monitor.KernelInspector;
import org.jspecify.annotations.Nullable;

/**
 * Where and how a kernel's monitor console listens: a text console, served from a thread of its own,
 * where a person lists the tasks of a running program ({@code ps}), sees where each is blocked
 * ({@code where}), cancels one ({@code cancel}) or raises a signal. Curio: {@code curio.monitor}.
 *
 * {@snippet :
 * Kernel kernel = Kernel.builder().monitor(Monitor.localhost()).build();   // 127.0.0.1:48802
 * // $ nc 127.0.0.1 48802      or      java -m org.curio.kernel/org.curio.kernel.Monitor
 * // curio > ps
 * }
 *
 * <p>The console is off by default. {@link Kernel.Builder#monitor} turns it on for a kernel;
 * {@link #attach} adds a kernel that is already built; a program started with {@link Curio#run} turns
 * it on when the environment variable {@value #ENVIRONMENT_VARIABLE} is set (see
 * {@link #fromEnvironment}). Every kernel of the JVM that asks for the same address shares one
 * listener: {@code ps} shows the tasks of each, and commands take a task id (unique in the JVM) or
 * {@code KERNEL:TASK}. Closing a kernel takes it off the console; the last one closing stops the
 * listener and its threads.
 *
 * <p><b>Security.</b> Whoever connects can cancel tasks and raise signals, so the console listens on
 * the loopback interface by default and refuses a wildcard address unless {@link #allowingWildcard()}
 * says so; a Unix-domain socket ({@link #unixSocket}) is created readable and writable by its owner
 * only (0600).
 *
 * <p><b>Threads and limits.</b> The listener has a platform daemon thread, and so has each client;
 * at most {@linkplain #maxClients(int) four} clients are served at once (more are told so and
 * disconnected), a client silent for the {@linkplain #idleTimeout(Duration) idle timeout} (ten
 * minutes) is disconnected, and so is one that sends a line longer than 1024 bytes. The console never
 * runs as a kernel task and never changes kernel state itself: it answers while the kernel is stuck in
 * a task that never reaches a trap, and a cancellation goes through the kernel's hand-off queue.
 *
 * <p>Instances are immutable values.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/monitor.py">curio's monitor</a>
 */
public final class Monitor {
    /** The default port, as curio's: {@value}. */
    public static final int DEFAULT_PORT = 48802;
    /** The environment variable that turns the console on for {@link Curio#run}: {@value}. */
    public static final String ENVIRONMENT_VARIABLE = "CURIOMONITOR";
    private static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    private static final int DEFAULT_MAX_CLIENTS = 4;

    private final SocketAddress address;
    private final boolean wildcardAllowed;
    private final Duration idleTimeout;
    private final int maxClients;

    private Monitor(SocketAddress address, boolean wildcardAllowed, Duration idleTimeout, int maxClients) {
        this.address = address;
        this.wildcardAllowed = wildcardAllowed;
        this.idleTimeout = idleTimeout;
        this.maxClients = maxClients;
    }

    /** {@return a console on 127.0.0.1, port {@value #DEFAULT_PORT}} */
    public static Monitor localhost() {
        return onPort(DEFAULT_PORT);
    }

    /**
     * {@return a console on 127.0.0.1 at {@code port}} Port 0 picks a free port; read it from
     * {@link Kernel#monitorAddress()}.
     *
     * @param port the port, 0 to 65535
     */
    public static Monitor onPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("monitor port out of range: " + port + "; use 0 to 65535 (0: any free port)");
        }
        return at(new InetSocketAddress(loopback(), port));
    }

    /**
     * {@return a console at {@code address}} A wildcard address (0.0.0.0, ::) is refused when a kernel
     * starts the console unless {@link #allowingWildcard()} is called.
     *
     * @param address a resolved address
     * @throws IllegalArgumentException if the address is unresolved
     */
    public static Monitor at(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("monitor address " + address.getHostString() + ":" + address.getPort()
                    + " cannot be resolved; give an IP address such as 127.0.0.1");
        }
        return new Monitor(address, false, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CLIENTS);
    }

    /**
     * {@return a console at {@code hostPort}}: {@code HOST:PORT} ({@code 127.0.0.1:48802},
     * {@code localhost:9000}, {@code [::1]:48802}), {@code :PORT} for 127.0.0.1, or {@code unix:PATH}
     * for a Unix-domain socket.
     *
     * @param hostPort the address
     * @throws IllegalArgumentException if it is not one of these forms, or the host is unknown
     */
    public static Monitor at(String hostPort) {
        Objects.requireNonNull(hostPort, "hostPort");
        String s = hostPort.trim();
        if (s.startsWith("unix:")) {
            return unixSocket(Path.of(s.substring(5)));
        }
        int colon = s.lastIndexOf(':');
        if (colon < 0 || (s.indexOf(':') != colon && !s.startsWith("["))) {
            throw new IllegalArgumentException("bad monitor address '" + hostPort + "': use HOST:PORT such as"
                    + " 127.0.0.1:48802 ([::1]:48802 for IPv6), :PORT, or unix:PATH");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad monitor port '" + s.substring(colon + 1) + "' in '" + hostPort
                    + "': use HOST:PORT such as 127.0.0.1:48802", e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("monitor port out of range in '" + hostPort + "': use 0 to 65535");
        }
        if (host.isEmpty()) {
            return onPort(port);
        }
        try {
            return at(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown monitor host '" + host + "' in '" + hostPort + "'", e);
        }
    }

    /**
     * {@return a console on a Unix-domain socket at {@code path}}, created with owner-only permissions
     * (0600) and removed when the console stops. The path must not exist.
     *
     * @param path the socket's path
     */
    public static Monitor unixSocket(Path path) {
        Objects.requireNonNull(path, "path");
        return new Monitor(UnixDomainSocketAddress.of(path), false, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CLIENTS);
    }

    /**
     * Parses the value of {@value #ENVIRONMENT_VARIABLE}, as {@link Curio#run} does: empty or absent
     * leaves the console off; {@code HOST:PORT}, {@code :PORT} or {@code unix:PATH} chooses its address
     * (see {@link #at(String)}); any other value ({@code 1}, {@code TRUE}, {@code yes}) turns it on at
     * 127.0.0.1:{@value #DEFAULT_PORT}. A wildcard address is refused here too.
     *
     * @param value the variable's value, or null if it is not set
     * @return the console, or empty if it stays off
     * @throws IllegalArgumentException if the value looks like an address but is not a valid one
     */
    public static Optional<Monitor> fromEnvironment(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String s = value.trim();
        if (!s.startsWith("unix:") && s.indexOf(':') < 0) {
            return Optional.of(localhost());
        }
        try {
            return Optional.of(at(s));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ENVIRONMENT_VARIABLE + "=" + value + ": " + e.getMessage()
                    + "; or set it to 1 for 127.0.0.1:" + DEFAULT_PORT, e);
        }
    }

    /**
     * {@return this console, but allowed to listen on a wildcard address (every interface)} Anyone who
     * can reach the port can then cancel tasks and raise signals in this process.
     */
    public Monitor allowingWildcard() {
        return new Monitor(address, true, idleTimeout, maxClients);
    }

    /**
     * {@return this console with clients disconnected after {@code timeout} without a command}
     *
     * @param timeout positive
     */
    public Monitor idleTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("monitor idle timeout must be positive: " + timeout);
        }
        return new Monitor(address, wildcardAllowed, timeout, maxClients);
    }

    /**
     * {@return this console serving at most {@code clients} clients at once}
     *
     * @param clients positive
     */
    public Monitor maxClients(int clients) {
        if (clients < 1) {
            throw new IllegalArgumentException("monitor clients must be positive: " + clients);
        }
        return new Monitor(address, wildcardAllowed, idleTimeout, clients);
    }

    /** {@return the address asked for (port 0 until bound; see {@link Kernel#monitorAddress()})} */
    public SocketAddress address() {
        return address;
    }

    /** A kernel's place on a console, from {@link #attach}; closing it takes the kernel off. */
    public interface Attachment extends AutoCloseable {
        /** {@return the address the console is bound to} */
        SocketAddress address();

        /** Takes the kernel off the console; the last kernel leaving stops it. Idempotent. */
        @Override
        void close();
    }

    /**
     * Serves {@code kernel}, already built, on this console, until the returned attachment or the
     * kernel is closed. Everything but {@code recent} works as for a kernel built with
     * {@link Kernel.Builder#monitor}: terminated tasks are recorded only from a kernel's start.
     *
     * @param kernel the kernel
     * @return the attachment
     * @throws IllegalStateException    if the kernel is closed
     * @throws IllegalArgumentException if the address is a wildcard not allowed
     * @throws java.io.UncheckedIOException if the console cannot listen
     */
    public Attachment attach(Kernel kernel) {
        Objects.requireNonNull(kernel, "kernel");
        KernelInspector inspector = new KernelInspector(Kernel::groupLabel, false);
        kernel.inspect(inspector, settings(true), false);
        return new Attachment() {
            @Override
            public SocketAddress address() {
                return inspector.consoleAddress().orElse(address);
            }

            @Override
            public void close() {
                inspector.close();
            }
        };
    }

    /** {@return the internal settings; checks the address is not a wildcard unless allowed} */
    ConsoleSettings settings(boolean required) {
        if (address instanceof InetSocketAddress inet && inet.getAddress().isAnyLocalAddress() && !wildcardAllowed) {
            throw new IllegalArgumentException("monitor address " + inet.getAddress().getHostAddress() + ":"
                    + inet.getPort() + " is a wildcard: the console would accept connections from other machines,"
                    + " and whoever connects can cancel tasks; listen on 127.0.0.1, or call allowingWildcard()");
        }
        return new ConsoleSettings(address, idleTimeout, maxClients, required);
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);                 // four bytes are always a valid address
        }
    }

    @Override
    public String toString() {
        return "Monitor[" + (address instanceof UnixDomainSocketAddress u ? "unix:" + u.getPath() : address) + "]";
    }

    /**
     * A client: connects to a console and copies standard input to it and its answers to standard
     * output, until either side ends. Curio: {@code python -m curio.monitor}.
     *
     * {@snippet lang = "shell" :
     * java -m org.curio.kernel/org.curio.kernel.Monitor                 # 127.0.0.1:48802
     * java -m org.curio.kernel/org.curio.kernel.Monitor 127.0.0.1:9000
     * java -m org.curio.kernel/org.curio.kernel.Monitor unix:/run/app/monitor.sock
     * }
     *
     * @param args nothing, or the console's address ({@code HOST:PORT}, {@code :PORT}, {@code unix:PATH})
     * @throws IOException if the console cannot be reached
     */
    public static void main(String[] args) throws IOException {
        if (args.length > 1 || args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
            System.err.println("usage: java -m org.curio.kernel/org.curio.kernel.Monitor [HOST:PORT | :PORT | unix:PATH]"
                    + " (default 127.0.0.1:" + DEFAULT_PORT + ")");
            System.exit(2);
        }
        SocketAddress target = args.length == 0 ? localhost().address : at(args[0]).address;
        try (SocketChannel channel = target instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open()) {
            channel.connect(target);
            Thread input = Thread.ofPlatform().daemon().name("curio-monitor-client-input").start(() -> {
                try {
                    OutputStream out = Channels.newOutputStream(channel);   // closing it would close the channel
                    System.in.transferTo(out);
                    channel.shutdownOutput();                              // end of input: the console answers, then ends
                } catch (IOException e) {
                    // the console closed the connection: the main thread sees it too
                }
            });
            InputStream answers = Channels.newInputStream(channel);
            answers.transferTo(System.out);
            System.out.flush();
            input.interrupt();
        }
    }
}
