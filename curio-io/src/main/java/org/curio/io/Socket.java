package org.curio.io;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.netty.channel.ChannelException;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.NativeInetAddress;
import org.curio.io.internal.Datagrams;
import org.curio.io.internal.DirectBuffers;
import org.curio.io.internal.Errno;
import org.curio.io.internal.Libc;
import org.curio.io.internal.NativeFd;
import org.curio.io.internal.SocketOptions;
import org.curio.traps.CancelledException;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/**
 * A non-blocking socket whose methods read like blocking ones: each tries its system call at once
 * and suspends the calling task only when the call would block. TCP over IPv4 and IPv6, UDP, and
 * Unix-domain stream and datagram sockets. Curio: {@code curio.io.Socket}.
 *
 * {@snippet :
 * try (Socket sock = Socket.open(Socket.Family.INET, Socket.Type.STREAM)) {
 *     sock.connect(new InetSocketAddress("127.0.0.1", 25000));
 *     sock.sendAll("hello".getBytes(StandardCharsets.US_ASCII));
 *     byte[] reply = sock.recv(1000);                 // empty at end of stream
 * }
 * }
 *
 * <p><b>Connection and listener.</b> A connected stream socket (TCP, or a Unix-domain stream socket
 * from {@link #connect}, {@link #accept()} or {@link #pair()}) is a {@link Connection}, so protocol
 * code written against connections runs over it unchanged; {@link #asStream()} is then its
 * {@link ByteStream}. A listening stream socket (after {@link #bind} and {@link #listen()}) is a
 * {@link Listener} of sockets, so {@link Network#serve} runs a server on it. Which role a socket plays
 * depends on how it was set up: calling the other role's methods fails as the system call does, with
 * an {@link IOException}.
 *
 * <p><b>Partial progress.</b> {@link #sendAll(ByteBuffer)} advances the buffer's position as bytes go
 * out, so after it returns, fails or is cancelled (a {@link CancelledException} or a timeout) the
 * position tells exactly how many bytes the kernel accepted. {@link #recvInto(ByteBuffer)} likewise
 * advances the position by exactly what was received. Use the {@code ByteBuffer} forms when a
 * cancellation must not lose track of bytes; the {@code byte[]} forms are shorthands.
 *
 * <p><b>Cancellation.</b> Every method that may wait declares {@link CancelledException}; it is
 * thrown only while the task waits for readiness, or at the yield the cooperative budget forces
 * before the system call, never after bytes moved in the same call (a {@code recv} that got data
 * returns it).
 *
 * <p><b>Every task gets its turn.</b> Each receive, send, accept and connect first draws on the
 * calling task's cooperative budget ({@link org.curio.traps.Traps#consumeBudget()}), so a task whose
 * socket is always ready still lets other tasks run and timers fire.
 *
 * <p><b>Closing.</b> {@link #close()} never suspends. If another task of the kernel is waiting on this
 * socket, it is woken and fails with a {@link SocketException} ("socket closed"). Any use after close
 * fails the same way. Close from a task of the kernel that used the socket, so that the kernel drops
 * its registration; a socket closed elsewhere is forgotten by the kernel when the number is reused or
 * the kernel closes.
 *
 * <p><b>Busy.</b> At most one task may wait to read, and one to write, a socket at a time: a second
 * reader that would have to wait gets {@link org.curio.traps.ReadResourceBusyException} at once
 * (likewise for writers), as in curio.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a socket.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/io.py">curio/io.py</a>
 */
public final class Socket implements Connection, Listener<Socket> {
    /*
     * Implementation notes. The descriptor and its kernel identity live in NativeFd (internal), whose
     * helper makes every system call of this class: now() for the calls that never wait ("ensure
     * open, call, translate the errno"), retry() for those that wait on would-block (the budget draw,
     * then the same, with a readiness wait between tries). This class adds addresses, options and
     * socket-only calls over Netty's LinuxSocket. Addresses cross the boundary as JDK types only
     * (InetSocketAddress, UnixDomainSocketAddress). The class is curio's whole socket surface (about 400
     * lines of code); datagram calls and address conversions live in internal.Datagrams.
     */
    private static final int ACCEPT_ADDRESS_BYTES = 26;   // Netty's accept() writes length + address + port
    private static final long DISCARD_LIMIT = 1 << 20;     // discardReceived: beyond this, let the close reset

    /** Address families. */
    public enum Family {
        /** IPv4 ({@code AF_INET}). */
        INET,
        /** IPv6, also reaching IPv4 peers through mapped addresses ({@code AF_INET6}, dual stack). */
        INET6,
        /** Unix-domain ({@code AF_UNIX}). */
        UNIX
    }

    /** Socket types. */
    public enum Type {
        /** A connected byte stream ({@code SOCK_STREAM}): TCP, or a Unix stream socket. */
        STREAM,
        /** Datagrams ({@code SOCK_DGRAM}): UDP, or a Unix datagram socket. */
        DATAGRAM
    }

    /**
     * Two sockets connected to each other, from {@link #pair()}; closing the pair closes both.
     *
     * @param first  one end
     * @param second the other end
     */
    public record Pair(Socket first, Socket second) implements AutoCloseable {
        /** Checks the components. */
        public Pair {
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(second, "second");
        }

        /** Closes both sockets. Never suspends. */
        @Override
        public void close() {
            first.close();
            second.close();
        }
    }

    private final NativeFd fd;
    private final LinuxSocket socket;
    private final Family family;
    private final Type type;
    private final @Nullable SocketAddress peer;      // from accept(2), for an accepted socket
    private @Nullable SocketStream stream;

    private Socket(LinuxSocket socket, Family family, Type type, @Nullable SocketAddress peer) {
        this.fd = NativeFd.ofSocket(socket, type == Type.STREAM);
        this.socket = socket;
        this.family = family;
        this.type = type;
        this.peer = peer;
    }

    private static Socket wrap(LinuxSocket socket, Family family, Type type) {
        return new Socket(socket, family, type, null);
    }

    /**
     * Creates a socket. Never suspends. Curio: {@code socket(family, type)}.
     *
     * @param family the address family
     * @param type   the socket type
     * @return the socket, non-blocking
     * @throws IOException if the system refuses (for example, no descriptors left)
     */
    public static Socket open(Family family, Type type) throws IOException {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(type, "type");
        NativeFd.load();
        LinuxSocket s = NativeFd.make("socket", null, () -> switch (family) {
            case INET -> type == Type.STREAM ? LinuxSocket.newSocketStream(false) : LinuxSocket.newSocketDgram(false);
            case INET6 -> type == Type.STREAM ? LinuxSocket.newSocketStream(true) : LinuxSocket.newSocketDgram(true);
            case UNIX -> type == Type.STREAM ? LinuxSocket.newSocketDomain() : LinuxSocket.newSocketDomainDgram();
        });
        return wrap(s, family, type);
    }

    /**
     * Creates a pair of connected Unix-domain stream sockets. Never suspends. Curio:
     * {@code socketpair()}.
     *
     * @return the pair
     * @throws IOException if the system refuses
     */
    public static Pair pair() throws IOException {
        return pair(Type.STREAM);
    }

    /**
     * Creates a pair of connected Unix-domain sockets of {@code type}. Never suspends.
     *
     * @param type stream or datagram
     * @return the pair
     * @throws IOException if the system refuses
     */
    public static Pair pair(Type type) throws IOException {
        Objects.requireNonNull(type, "type");
        NativeFd.load();
        int[] fds = Libc.socketpair(type == Type.STREAM ? Libc.SOCK_STREAM : Libc.SOCK_DGRAM);
        return new Pair(wrap(LinuxSocket.newSocket(fds[0]), Family.UNIX, type),
                wrap(LinuxSocket.newSocket(fds[1]), Family.UNIX, type));
    }

    /**
     * Adopts an open socket descriptor, which this object then owns (closing it closes the
     * descriptor), and puts it in non-blocking mode. Never suspends. Curio: {@code fromfd}.
     *
     * @param fd the descriptor, for example from {@link #detach()}
     * @return the socket
     * @throws IOException if {@code fd} is not an open socket of a supported family and type (the
     *                     descriptor then stays the caller's)
     */
    public static Socket fromFd(int fd) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must not be negative: " + fd);
        }
        NativeFd.load();
        Libc.setNonBlocking(fd);
        LinuxSocket s = NativeFd.make("fromFd", null, () -> LinuxSocket.newSocket(fd));
        int domain = NativeFd.make("fromFd", null, () -> s.getIntOpt(1, 39));      // SOL_SOCKET, SO_DOMAIN
        int kind = NativeFd.make("fromFd", null, () -> s.getIntOpt(1, 3));         // SOL_SOCKET, SO_TYPE
        Family family = switch (domain) {
            case 2 -> Family.INET;
            case 10 -> Family.INET6;
            case 1 -> Family.UNIX;
            default -> throw new IOException("unsupported address family " + domain + " of fd " + fd);
        };
        Type type = switch (kind) {
            case 1 -> Type.STREAM;
            case 2 -> Type.DATAGRAM;
            default -> throw new IOException("unsupported socket type " + kind + " of fd " + fd);
        };
        return wrap(s, family, type);
    }

    /** {@return the address family} */
    public Family family() {
        return family;
    }

    /** {@return the socket type} */
    public Type type() {
        return type;
    }

    /** {@return the descriptor number, or -1 once closed or detached} Curio: {@code fileno()}. */
    public int fd() {
        return fd.fd();
    }

    /** {@return whether the socket is open} */
    public boolean isOpen() {
        return fd.isOpen();
    }

    // ------------------------------------------------------------------ addresses and connections

    /**
     * Binds the socket to a local address. Never suspends. A Unix-domain address must not name an
     * existing file.
     *
     * @param local an {@link InetSocketAddress} (port 0 picks a free port; a wildcard address binds
     *              every interface) or a {@link UnixDomainSocketAddress}
     * @throws java.net.BindException    if the address is in use or cannot be assigned
     * @throws IOException               if the socket is closed or the system refuses
     * @throws IllegalArgumentException  if the address does not fit the socket's family or is unresolved
     */
    public void bind(SocketAddress local) throws IOException {
        SocketAddress address = checkAddress(local, "bind");
        fd.ensureOpen();
        if (address instanceof UnixDomainSocketAddress u && !u.getPath().toString().isEmpty()
                && Files.exists(u.getPath(), LinkOption.NOFOLLOW_LINKS)) {
            throw Errno.fromErrno("bind", Errno.EADDRINUSE, address);
        }
        fd.now("bind", address, () -> {
            socket.bind(Datagrams.toNetty(address));
            return null;
        });
    }

    /**
     * Marks the socket as accepting connections, with a backlog of 128. Never suspends.
     *
     * @throws IOException if the socket is closed, unbound, or not a stream socket
     */
    public void listen() throws IOException {
        listen(128);
    }

    /**
     * Marks the socket as accepting connections. Never suspends.
     *
     * @param backlog how many connections may wait to be accepted
     * @throws IOException if the socket is closed or the system refuses
     */
    public void listen(int backlog) throws IOException {
        fd.now("listen", null, () -> {
            socket.listen(backlog);
            return null;
        });
    }

    /**
     * Suspends the calling task until a connection arrives, and returns it. Curio:
     * {@code client, address = await sock.accept()}; here the address comes with the socket:
     * {@link #remoteAddress()} of the result answers the peer's address as {@code accept(2)} reported it,
     * without a further system call, and keeps answering it after the peer has gone (where a fresh
     * {@code getpeername} fails once a TCP peer has reset the connection). For a Unix-domain listener it
     * is the peer's bound path, or an empty path for an unnamed peer.
     *
     * {@snippet :
     * Socket client = listener.accept();
     * SocketAddress address = client.remoteAddress();     // the peer, as accept reported it
     * }
     *
     * @return the connected socket, non-blocking and close-on-exec
     * @throws IOException        if the socket is closed, not listening, or the system refuses (for
     *                            example, no descriptors left)
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public Socket accept() throws IOException, CancelledException {
        byte[] address = new byte[ACCEPT_ADDRESS_BYTES];
        int client = fd.retry(NativeFd.Ready.READABLE, "accept", null, () -> {
            int c = socket.accept(address);
            return c >= 0 ? c : null;
        });
        return adopt(client, address);
    }

    /**
     * Accepts a connection that is waiting in the listen queue, without suspending: what a server that
     * stops uses to empty the queue before it closes the listener (closing it resets every connection
     * still queued). See {@link #accept()} for the result.
     *
     * @return the connected socket, or empty if no connection is waiting
     * @throws IOException if the socket is closed, not listening, or the system refuses
     */
    public Optional<Socket> tryAccept() throws IOException {
        byte[] address = new byte[ACCEPT_ADDRESS_BYTES];
        int client = fd.now("accept", null, () -> socket.accept(address));
        return client >= 0 ? Optional.of(adopt(client, address)) : Optional.empty();
    }

    private Socket adopt(int client, byte[] address) throws IOException {
        LinuxSocket s;
        try {
            s = LinuxSocket.newSocket(client);
        } catch (ChannelException e) {
            new io.netty.channel.unix.FileDescriptor(client).close();
            throw Errno.translate("accept", e, null);
        }
        if (family != Family.UNIX) {
            // Netty's accept writes the address's length, then the address and port as its own
            // address(byte[], offset, length) reads them.
            return new Socket(s, family, type, NativeInetAddress.address(address, 1, address[0]));
        }
        // Discussion: for a Unix-domain peer Netty's accept reports no usable address (it decodes IP
        // addresses only), so the peer's path is read once here (getpeername) and kept.
        DomainSocketAddress a = s.remoteDomainSocketAddress();
        return new Socket(s, family, type, UnixDomainSocketAddress.of(a == null ? "" : a.path()));
    }

    /**
     * Suspends the calling task until the socket is connected to {@code remote}. An unresolved
     * {@link InetSocketAddress} is resolved first, off the kernel thread; the first address of the
     * socket's family is used. For datagram sockets this sets the default destination. Curio:
     * {@code connect()}.
     *
     * @param remote where to connect
     * @throws java.net.ConnectException if the connection is refused or times out
     * @throws IOException               if the socket is closed, the name is unknown, or the system
     *                                   refuses
     * @throws CancelledException        if the task is cancelled or times out while waiting; the socket
     *                                   is then in an unspecified state and should be closed
     */
    public void connect(SocketAddress remote) throws IOException, CancelledException {
        Objects.requireNonNull(remote, "remote");
        Traps.consumeBudget();
        SocketAddress address = remote;
        if (remote instanceof InetSocketAddress inet && inet.isUnresolved() && family != Family.UNIX) {
            address = resolve(inet);
        }
        SocketAddress target = checkAddress(address, "connect");
        boolean connected = fd.now("connect", target, () -> socket.connect(Datagrams.toNetty(target)));
        while (!connected) {
            fd.await(NativeFd.Ready.WRITABLE);
            int error = fd.now("connect", target, socket::getSoError);
            if (error != 0) {
                throw Errno.fromErrno("connect", error, target);
            }
            connected = isConnected();
        }
    }

    private boolean isConnected() {
        return family == Family.UNIX ? socket.remoteDomainSocketAddress() != null : socket.remoteAddress() != null;
    }

    private InetSocketAddress resolve(InetSocketAddress unresolved) throws IOException, CancelledException {
        List<InetAddress> all = Network.lookup(unresolved.getHostString());
        for (InetAddress a : all) {
            if (family == Family.INET6 || a instanceof Inet4Address) {
                return new InetSocketAddress(a, unresolved.getPort());
            }
        }
        throw new java.net.UnknownHostException("no " + family + " address for " + unresolved.getHostString());
    }

    /**
     * {@return the local address}: an {@link InetSocketAddress}, or a {@link UnixDomainSocketAddress}
     * (empty path if unnamed). Never suspends.
     *
     * @throws IOException if the socket is closed
     */
    public SocketAddress localAddress() throws IOException {
        fd.ensureOpen();
        if (family == Family.UNIX) {
            DomainSocketAddress a = socket.localDomainSocketAddress();
            return UnixDomainSocketAddress.of(a == null ? "" : a.path());
        }
        InetSocketAddress a = socket.localAddress();
        if (a == null) {
            throw new SocketException("local address unavailable");
        }
        return Datagrams.plain(a);
    }

    /**
     * {@return the peer's address} Never suspends. For a socket from {@link #accept()}, the address
     * {@code accept(2)} reported, without a system call.
     *
     * @throws IOException if the socket is closed or not connected
     */
    public SocketAddress remoteAddress() throws IOException {
        fd.ensureOpen();
        if (peer != null) {
            return peer;
        }
        if (family == Family.UNIX) {
            DomainSocketAddress a = socket.remoteDomainSocketAddress();
            if (a == null) {
                throw new SocketException("socket is not connected");
            }
            return UnixDomainSocketAddress.of(a.path());
        }
        InetSocketAddress a = socket.remoteAddress();
        if (a == null) {
            throw new SocketException("socket is not connected");
        }
        return Datagrams.plain(a);
    }

    // ------------------------------------------------------------------ data

    /**
     * Suspends the calling task until some bytes arrive, and returns at most {@code maxBytes} of them.
     * Curio: {@code recv()}.
     *
     * @param maxBytes the most to return; not negative
     * @return the bytes; empty at end of stream (or for an empty datagram)
     * @throws IOException        if the socket is closed or reset, or the call fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public byte[] recv(int maxBytes) throws IOException, CancelledException {
        return fd.readBytes(maxBytes);
    }

    /**
     * Suspends the calling task until some bytes arrive, and puts as many as fit into {@code dst},
     * advancing its position. Curio: {@code recv_into()}.
     *
     * @param dst where to put the bytes
     * @return the count; -1 at end of stream (0 for an empty datagram, or if {@code dst} is full)
     * @throws IOException        if the socket is closed or reset, or the call fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public int recvInto(ByteBuffer dst) throws IOException, CancelledException {
        Objects.requireNonNull(dst, "dst");
        int n = fd.read(dst);
        return n == NativeFd.EOF && type == Type.DATAGRAM ? 0 : n;
    }

    /**
     * Suspends the calling task until a datagram arrives, and returns it, truncated to
     * {@code maxBytes}. Curio: {@code recvfrom()}.
     *
     * @param maxBytes the most bytes to keep; positive
     * @return the datagram and its sender
     * @throws IOException        if the socket is closed or the call fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public Datagram recvFrom(int maxBytes) throws IOException, CancelledException {
        checkCount(maxBytes, "maxBytes");
        ByteBuffer dst = ByteBuffer.allocate(Math.min(maxBytes, DirectBuffers.SIZE));
        SocketAddress sender = recvFromInto(dst);
        return new Datagram(java.util.Arrays.copyOf(dst.array(), dst.position()), sender);
    }

    /**
     * Suspends the calling task until a datagram arrives, puts as much of it as fits into
     * {@code dst} (advancing its position) and returns its sender. Curio: {@code recvfrom_into()}.
     *
     * @param dst where to put the bytes
     * @return the sender
     * @throws IOException        if the socket is closed or the call fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public SocketAddress recvFromInto(ByteBuffer dst) throws IOException, CancelledException {
        Objects.requireNonNull(dst, "dst");
        return fd.retry(NativeFd.Ready.READABLE, "recvfrom", null,
                () -> Datagrams.tryRecvFrom(socket, family == Family.UNIX, dst));
    }

    /**
     * Suspends the calling task until some of {@code data} has been sent, and returns how much.
     * Curio: {@code send()}.
     *
     * @param data the bytes
     * @return the count sent (0 if {@code data} is empty)
     * @throws IOException        if the socket is closed or reset, or the call fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public int send(byte[] data) throws IOException, CancelledException {
        return send(ByteBuffer.wrap(Objects.requireNonNull(data, "data")));
    }

    /**
     * Suspends the calling task until some of {@code src} has been sent, advancing its position.
     *
     * @param src the bytes
     * @return the count sent (0 if {@code src} is empty)
     * @throws IOException        if the socket is closed or reset, or the call fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public int send(ByteBuffer src) throws IOException, CancelledException {
        return fd.write(Objects.requireNonNull(src, "src"));
    }

    /**
     * Suspends the calling task until all of {@code data} has been sent. Use
     * {@link #sendAll(ByteBuffer)} to learn how much went out if it is cancelled. Curio:
     * {@code sendall()}.
     *
     * @param data the bytes
     * @throws IOException        if the socket is closed or reset, or the call fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void sendAll(byte[] data) throws IOException, CancelledException {
        fd.writeAll(ByteBuffer.wrap(Objects.requireNonNull(data, "data")));
    }

    /**
     * Suspends the calling task until every remaining byte of {@code src} has been sent. The position
     * of {@code src} advances as bytes go out: when this method returns, fails or is cancelled, it
     * tells exactly how many were sent.
     *
     * @param src the bytes
     * @throws IOException        if the socket is closed or reset, or the call fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void sendAll(ByteBuffer src) throws IOException, CancelledException {
        fd.writeAll(Objects.requireNonNull(src, "src"));
    }

    /**
     * Suspends the calling task until {@code data} has been sent as one datagram to {@code target}.
     * Curio: {@code sendto()}.
     *
     * @param data   the bytes
     * @param target the destination
     * @return the count sent
     * @throws IOException              if the socket is closed or the call fails
     * @throws CancelledException       if the task is cancelled or times out while waiting
     * @throws IllegalArgumentException if the address does not fit the socket's family or is unresolved
     */
    public int sendTo(byte[] data, SocketAddress target) throws IOException, CancelledException {
        return sendTo(ByteBuffer.wrap(Objects.requireNonNull(data, "data")), target);
    }

    /**
     * Suspends the calling task until the remaining bytes of {@code src} have been sent as one
     * datagram to {@code target}, advancing its position.
     *
     * @param src    the bytes, at most 64 KiB
     * @param target the destination
     * @return the count sent
     * @throws IOException              if the socket is closed or the call fails
     * @throws CancelledException       if the task is cancelled or times out while waiting
     * @throws IllegalArgumentException if the address does not fit the socket's family or is unresolved
     */
    public int sendTo(ByteBuffer src, SocketAddress target) throws IOException, CancelledException {
        Objects.requireNonNull(src, "src");
        SocketAddress address = checkAddress(target, "sendto");
        if (src.remaining() > DirectBuffers.SIZE) {
            throw new IllegalArgumentException("datagram too large: " + src.remaining() + " bytes");
        }
        return fd.retry(NativeFd.Ready.WRITABLE, "sendto", address, () -> {
            int n = Datagrams.trySendTo(socket, src, address);
            return n > 0 || !src.hasRemaining() ? n : null;
        });
    }

    /**
     * Suspends the calling task until the socket is readable: data, end of stream, an error, or (for
     * a listening socket) a connection is waiting.
     *
     * @throws IOException        if the socket is closed before or while waiting
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void waitReadable() throws IOException, CancelledException {
        fd.await(NativeFd.Ready.READABLE);
    }

    /**
     * Suspends the calling task until the socket is writable (or has failed).
     *
     * @throws IOException        if the socket is closed before or while waiting
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void waitWritable() throws IOException, CancelledException {
        fd.await(NativeFd.Ready.WRITABLE);
    }

    // ------------------------------------------------------------------ shutdown, options, close

    /**
     * Shuts down the sending side: the peer reads end of stream after the bytes already sent.
     * Never suspends.
     *
     * @throws IOException if the socket is closed or not connected
     */
    public void shutdownOutput() throws IOException {
        shutdown(false, true);
    }

    /**
     * Shuts down the receiving side: later reads return end of stream. Never suspends.
     *
     * @throws IOException if the socket is closed or not connected
     */
    public void shutdownInput() throws IOException {
        shutdown(true, false);
        fd.readAtOnce();                            // the next read answers end of stream without a wait
    }

    private void shutdown(boolean read, boolean write) throws IOException {
        fd.now("shutdown", null, () -> {
            socket.shutdown(read, write);
            return null;
        });
    }

    /**
     * Sets a socket option. Never suspends. Supported: {@link StandardSocketOptions#SO_REUSEADDR},
     * {@code SO_REUSEPORT}, {@code TCP_NODELAY}, {@code SO_KEEPALIVE}, {@code SO_RCVBUF},
     * {@code SO_SNDBUF}, {@code SO_LINGER} (negative: off), {@code SO_BROADCAST} and {@code IP_TOS}.
     *
     * @param option the option
     * @param value  its value
     * @param <T>    the value type
     * @throws IOException                   if the socket is closed or the system refuses
     * @throws UnsupportedOperationException if the option is not supported
     */
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        Objects.requireNonNull(value, "value");
        fd.now("setsockopt " + option.name(), null, () -> {
            SocketOptions.set(socket, option, value);
            return null;
        });
    }

    /**
     * Reads a socket option. Never suspends. See {@link #setOption} for the supported options.
     *
     * @param option the option
     * @param <T>    the value type
     * @return its value
     * @throws IOException                   if the socket is closed or the system refuses
     * @throws UnsupportedOperationException if the option is not supported
     */
    public <T> T option(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        return fd.now("getsockopt " + option.name(), null, () -> SocketOptions.get(socket, option));
    }

    /**
     * {@return a buffered stream over this socket, the same one on every call} Closing it closes the
     * socket. Curio: {@code as_stream()}.
     */
    public SocketStream asStream() {
        if (stream == null) {
            stream = new SocketStream(this);
        }
        return stream;
    }

    /**
     * Fails if the socket is closed, with {@link SocketException} ("socket closed"). Never suspends.
     *
     * @throws IOException if the socket is closed
     */
    @Override
    public void checkOpen() throws IOException {
        fd.ensureOpen();
    }

    /**
     * Gives up the descriptor without closing it; this socket is closed afterwards. Never suspends.
     * Curio: {@code detach()}.
     *
     * @return the descriptor number, now owned by the caller (see {@link #fromFd(int)})
     * @throws IOException if the socket is closed already
     */
    public int detach() throws IOException {
        return fd.detach();
    }

    /**
     * Throws away, without suspending, at most 1 MiB of what has arrived and not been received; see
     * {@link Connection#discardReceived()}. Call it just before {@link #close()} when the peer may have
     * sent bytes this side will not read, so that the close ends a TCP connection with FIN rather than
     * a reset. {@link #close()} itself does not discard, as a plain close does not.
     *
     * @return how many bytes were thrown away
     * @throws IOException if the socket is closed, or the read fails (a reset, say)
     */
    @Override
    public long discardReceived() throws IOException {
        return fd.discardReadable(DISCARD_LIMIT);
    }

    /**
     * Closes the socket. A task of this kernel that waits on it wakes and fails with
     * {@link SocketException} ("socket closed"). Never suspends; does nothing if closed already.
     */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "Socket[" + family + " " + type + ", " + fd + "]";
    }

    /** {@return the descriptor's helper} For tests that count system calls. */
    NativeFd descriptor() {
        return fd;
    }

    // ------------------------------------------------------------------ helpers

    private static void checkCount(int n, String name) {
        if (n < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + n);
        }
    }

    private SocketAddress checkAddress(SocketAddress address, String operation) {
        Objects.requireNonNull(address, "address");
        if (family == Family.UNIX) {
            if (!(address instanceof UnixDomainSocketAddress)) {
                throw new IllegalArgumentException("a UNIX socket needs a UnixDomainSocketAddress for " + operation
                        + ": " + address);
            }
            return address;
        }
        if (!(address instanceof InetSocketAddress inet)) {
            throw new IllegalArgumentException("an " + family + " socket needs an InetSocketAddress for "
                    + operation + ": " + address);
        }
        if (inet.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address for " + operation + ": " + inet
                    + " (resolve it with Network.lookup)");
        }
        if (family == Family.INET && !(inet.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("an INET socket cannot use an IPv6 address for " + operation
                    + ": " + inet);
        }
        return inet;
    }
}
