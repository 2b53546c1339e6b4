package org.curio.kernel.internal.monitor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * A monitor console: a listening socket served by its own platform daemon thread, and one platform
 * daemon thread per connected client, at most {@link ConsoleSettings#maxClients()} at a time.
 */
final class Console {
    /*
     * Implementation notes. Plain blocking java.nio, never a kernel task: the console must answer while
     * every kernel is stuck. The acceptor blocks in accept(); close() closes the listening channel,
     * which wakes it, then closes every client channel, which wakes their sessions, and waits for all
     * these threads to end. A client beyond the limit is told so and disconnected at once.
     *
     * A Unix-domain socket is bound under a temporary name inside a new directory that only the owner
     * may enter, made owner-only (0600), and only then renamed to its path: there is no moment at
     * which another user could connect to it.
     */
    private static final System.Logger LOG = System.getLogger("org.curio.kernel.monitor");
    private static final long JOIN_MILLIS = 2000;
    private static final AtomicInteger CLIENT_NUMBERS = new AtomicInteger();

    private final ConsoleSettings settings;
    private final ServerSocketChannel server;
    private final SocketAddress bound;
    private final @Nullable Path unixPath;
    private final List<KernelInspector> kernels = new CopyOnWriteArrayList<>();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private Console(ConsoleSettings settings, ServerSocketChannel server, SocketAddress bound, @Nullable Path unixPath) {
        this.settings = settings;
        this.server = server;
        this.bound = bound;
        this.unixPath = unixPath;
        this.acceptor = Thread.ofPlatform().daemon().name("curio-monitor " + Consoles.describe(bound))
                .unstarted(this::acceptLoop);
    }

    /** Binds the listening socket and starts the acceptor thread. */
    static Console open(ConsoleSettings settings) throws IOException {
        Console console;
        if (settings.address() instanceof UnixDomainSocketAddress unix) {
            Path path = unix.getPath().toAbsolutePath();
            ServerSocketChannel server = bindUnix(path);
            console = new Console(settings, server, UnixDomainSocketAddress.of(path), path);
        } else {
            ServerSocketChannel server = ServerSocketChannel.open();
            try {
                server.bind(settings.address(), 8);
            } catch (IOException e) {
                server.close();
                throw e;
            }
            console = new Console(settings, server, server.getLocalAddress(), null);
        }
        console.acceptor.start();
        LOG.log(System.Logger.Level.INFO, "curio monitor listening on " + Consoles.describe(console.bound));
        return console;
    }

    private static ServerSocketChannel bindUnix(Path path) throws IOException {
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(path + " exists already; remove it if no program listens on it");
        }
        Path parent = path.getParent() == null ? Path.of(".") : path.getParent();
        Path privateDir = Files.createTempDirectory(parent, ".curio-monitor",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path temporary = privateDir.resolve("s");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(temporary), 8);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(temporary);
            throw e;
        } finally {
            Files.deleteIfExists(privateDir);
        }
        return server;
    }

    /** {@return the address the console is bound to} */
    SocketAddress address() {
        return bound;
    }

    void add(KernelInspector kernel) {
        kernels.add(kernel);
    }

    void remove(KernelInspector kernel) {
        kernels.remove(kernel);
    }

    boolean isEmpty() {
        return kernels.isEmpty();
    }

    private void acceptLoop() {
        Commands commands = new Commands(() -> List.copyOf(kernels));
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;                                          // close() closed it
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "curio monitor: accept failed: " + e);
                pause();                                         // out of descriptors, say: do not spin
                continue;
            }
            if (sessions.size() >= settings.maxClients()) {
                refuse(client);
                continue;
            }
            Session session = new Session(client, commands, settings.idleTimeout(), sessions::remove);
            sessions.add(session);
            if (closed) {
                session.close();
                return;
            }
            Thread.ofPlatform().daemon().name("curio-monitor client " + CLIENT_NUMBERS.incrementAndGet())
                    .start(session);
        }
    }

    private void refuse(SocketChannel client) {
        try (client) {
            client.write(ByteBuffer.wrap(("curio monitor: " + settings.maxClients()
                    + " clients are connected already, the most allowed; try again later\n")
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "curio monitor: refusing a client: " + e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops listening, disconnects every client, and waits for the console's threads to end. */
    void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "curio monitor: closing the listener: " + e);
        }
        for (Session s : sessions) {
            s.close();
        }
        join(acceptor);
        for (Session s : sessions) {
            Thread t = s.thread();
            if (t != null) {
                join(t);
            }
        }
        if (unixPath != null) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "curio monitor: cannot remove " + unixPath + ": " + e);
            }
        }
    }

    private static void join(Thread t) {
        if (t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "Console[" + Consoles.describe(bound) + ", kernels=" + kernels.size() + "]";
    }

    /** {@return whether {@code a} is an IP address that accepts every interface} */
    static boolean isWildcard(SocketAddress a) {
        return a instanceof InetSocketAddress inet && inet.getAddress() != null && inet.getAddress().isAnyLocalAddress();
    }
}
