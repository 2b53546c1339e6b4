package org.curio.io;

import static org.curio.io.IoHarness.anyPort;
import static org.curio.io.IoHarness.bytes;
import static org.curio.io.IoHarness.seconds;
import static org.curio.io.IoHarness.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.io.TempDir;

/** Curio 1.6's {@code tests/test_socket.py}, ported, plus addresses, options and misuse. */
class SocketTest {
    private static Socket listener() throws IOException {
        Socket sock = Socket.open(Family.INET, Type.STREAM);
        sock.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        sock.bind(anyPort());
        sock.listen(5);
        return sock;
    }

    private static void echoHandler(Steps steps, Socket client) throws IOException, CancelledException {
        steps.record("handler start");
        while (true) {
            steps.record("recv wait");
            byte[] data = client.recv(100);
            if (data.length == 0) {
                break;
            }
            steps.record("handler " + text(data));
            client.sendAll(data);
        }
        steps.record("handler done");
        client.close();
    }

    private static void echoClient(Steps steps, SocketAddress address) throws IOException, CancelledException {
        steps.record("client start");
        try (Socket sock = Socket.open(Family.INET, Type.STREAM)) {
            sock.connect(address);
            sock.send(bytes("Msg1"));
            Timeouts.sleep(seconds(0.1));
            steps.record("client " + text(sock.recv(100)));
            sock.send(bytes("Msg2"));
            Timeouts.sleep(seconds(0.1));
            steps.record("client " + text(sock.recv(100)));
            steps.record("client close");
        }
        Timeouts.sleep(seconds(0.1));
    }

    /** An echo over TCP: the server, its handler and the client interleave exactly as in curio. */
    @CurioTest
    void tcpEcho(Steps steps) throws Exception {
        Socket server = listener();
        SocketAddress address = server.localAddress();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                steps.record("accept wait");
                Socket client = server.accept();
                steps.record("accept done");
                Curio.spawn(() -> echoHandler(steps, client));
                server.close();
            });
            g.spawn(() -> echoClient(steps, address));
            g.join();
        }
        steps.assertEvents("accept wait", "client start", "accept done", "handler start", "recv wait",
                "handler Msg1", "recv wait", "client Msg1", "handler Msg2", "recv wait", "client Msg2",
                "client close", "handler done");
    }

    /** The same echo with streams: lines come back in order and the handler sees the end of stream. */
    @CurioTest
    void tcpStreamEcho(Steps steps) throws Exception {
        Socket server = listener();
        SocketAddress address = server.localAddress();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                steps.record("accept wait");
                Socket client = server.accept();
                steps.record("accept done");
                Curio.spawn(() -> {
                    steps.record("handler start");
                    SocketStream stream = client.asStream();
                    stream.forEachLine(line -> {
                        steps.record("handler " + text(line).strip());
                        stream.write(line);
                    });
                    steps.record("handler done");
                    client.close();
                });
                server.close();
            });
            g.spawn(() -> {
                steps.record("client start");
                try (Socket sock = Socket.open(Family.INET, Type.STREAM)) {
                    sock.connect(address);
                    SocketStream stream = sock.asStream();
                    stream.write(bytes("Msg1\n"));
                    Timeouts.sleep(seconds(0.1));
                    steps.record("client " + text(stream.read(100)).strip());
                    stream.write(bytes("Msg2\n"));
                    Timeouts.sleep(seconds(0.1));
                    steps.record("client " + text(stream.read(100)).strip());
                    steps.record("client close");
                }
                Timeouts.sleep(seconds(0.1));
            });
            g.join();
        }
        steps.assertEvents("accept wait", "client start", "accept done", "handler start", "handler Msg1",
                "client Msg1", "handler Msg2", "client Msg2", "client close", "handler done");
    }

    /** A UDP echo: recvFrom reports the sender, and sendTo answers it. */
    @CurioTest
    void udpEcho(Steps steps) throws Exception {
        Socket server = Socket.open(Family.INET, Type.DATAGRAM);
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(anyPort());
        SocketAddress address = server.localAddress();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                steps.record("recvfrom wait");
                Datagram d = server.recvFrom(8192);
                steps.record("server " + text(d.data()));
                server.sendTo(d.data(), d.sender());
                server.close();
                steps.record("server close");
            });
            g.spawn(() -> {
                steps.record("client start");
                try (Socket sock = Socket.open(Family.INET, Type.DATAGRAM)) {
                    steps.record("client send");
                    sock.sendTo(bytes("Msg1"), address);
                    Datagram d = sock.recvFrom(8192);
                    steps.record("client " + text(d.data()));
                    assertEquals(address, d.sender());
                }
                steps.record("client close");
            });
            g.join();
        }
        steps.assertEvents("recvfrom wait", "client start", "client send", "server Msg1", "server close",
                "client Msg1", "client close");
    }

    /** A descriptor detached from an accepted socket and adopted with fromFd serves the echo. */
    @CurioTest
    void fromFdTcpEcho(Steps steps) throws Exception {
        Socket server = listener();
        SocketAddress address = server.localAddress();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                steps.record("accept wait");
                Socket accepted = server.accept();
                steps.record("accept done");
                int fd = accepted.detach();
                assertFalse(accepted.isOpen());
                Curio.spawn(() -> echoHandler(steps, Socket.fromFd(fd)));
                server.close();
            });
            g.spawn(() -> echoClient(steps, address));
            g.join();
        }
        steps.assertEvents("accept wait", "client start", "accept done", "handler start", "recv wait",
                "handler Msg1", "recv wait", "client Msg1", "handler Msg2", "recv wait", "client Msg2",
                "client close", "handler done");
    }

    /** accept() under a timeout with no client gets TaskTimeoutException. */
    @CurioTest
    void acceptTimeout(Steps steps) throws Exception {
        try (Socket server = listener()) {
            steps.record("accept wait");
            try {
                Timeouts.after(seconds(0.5), server::accept);
                steps.record("not here");
            } catch (TaskTimeoutException e) {
                steps.record("accept timeout");
            }
        }
        steps.assertEvents("accept wait", "accept timeout");
    }

    /** A task blocked in accept() is cancelled with TaskCancelledException. */
    @CurioTest
    void acceptCancel(Steps steps) throws Exception {
        Task<?> task = Curio.spawn(() -> {
            try (Socket server = listener()) {
                steps.record("accept wait");
                try {
                    server.accept();
                    steps.record("not here");
                } catch (TaskCancelledException e) {
                    steps.record("accept cancel");
                }
            }
        });
        Timeouts.sleep(seconds(0.5));
        task.cancel();
        steps.assertEvents("accept wait", "accept cancel");
    }

    /** recv() under a timeout on an idle connection times out; the client closes later. */
    @CurioTest
    void recvTimeout(Steps steps) throws Exception {
        Socket server = listener();
        Gate accepting = new Gate();
        Task<?> task = Curio.spawn(() -> {
            steps.record("accept wait");
            accepting.set();
            Socket client = server.accept();
            steps.record("recv wait");
            try {
                Timeouts.after(seconds(0.5), () -> client.recv(8192));
                steps.record("not here");
            } catch (TaskTimeoutException e) {
                steps.record("recv timeout");
            }
            client.close();
            server.close();
        });
        accepting.await();
        Socket sock = Socket.open(Family.INET, Type.STREAM);
        steps.record("client connect");
        sock.connect(server.localAddress());
        Timeouts.sleep(seconds(1.0));
        sock.close();
        steps.record("client done");
        task.join();
        steps.assertEvents("accept wait", "client connect", "recv wait", "recv timeout", "client done");
    }

    /** A task blocked in recv() is cancelled with TaskCancelledException. */
    @CurioTest
    void recvCancel(Steps steps) throws Exception {
        Socket server = listener();
        Gate accepting = new Gate();
        Task<?> task = Curio.spawn(() -> {
            steps.record("accept wait");
            accepting.set();
            Socket client = server.accept();
            steps.record("recv wait");
            try {
                client.recv(8192);
                steps.record("not here");
            } catch (TaskCancelledException e) {
                steps.record("recv cancel");
            }
            client.close();
            server.close();
        });
        accepting.await();
        Socket sock = Socket.open(Family.INET, Type.STREAM);
        steps.record("client connect");
        sock.connect(server.localAddress());
        Timeouts.sleep(seconds(1.0));
        task.cancel();
        sock.close();
        steps.record("client done");
        steps.assertEvents("accept wait", "client connect", "recv wait", "recv cancel", "client done");
    }

    /** recvFrom() under a timeout with no datagram times out. */
    @CurioTest
    void recvFromTimeout(Steps steps) throws Exception {
        Task<?> t = Curio.spawn(() -> {
            try (Socket sock = Socket.open(Family.INET, Type.DATAGRAM)) {
                sock.bind(anyPort());
                steps.record("recvfrom wait");
                try {
                    Timeouts.after(seconds(0.5), () -> sock.recvFrom(8192));
                    steps.record("not here");
                } catch (TaskTimeoutException e) {
                    steps.record("recvfrom timeout");
                }
            }
        });
        Timeouts.sleep(seconds(1.0));
        steps.record("client done");
        t.join();
        steps.assertEvents("recvfrom wait", "recvfrom timeout", "client done");
    }

    /** A task blocked in recvFrom() is cancelled with TaskCancelledException. */
    @CurioTest
    void recvFromCancel(Steps steps) throws Exception {
        Task<?> t = Curio.spawn(() -> {
            try (Socket sock = Socket.open(Family.INET, Type.DATAGRAM)) {
                sock.bind(anyPort());
                steps.record("recvfrom wait");
                try {
                    sock.recvFrom(8192);
                    steps.record("not here");
                } catch (TaskCancelledException e) {
                    steps.record("recvfrom cancel");
                }
            }
        });
        Timeouts.sleep(seconds(1.0));
        t.cancel();
        steps.record("client done");
        steps.assertEvents("recvfrom wait", "recvfrom cancel", "client done");
    }

    /** Four megabytes sent with sendAll arrive intact through recvInto, on heap and direct buffers. */
    @CurioTest
    void bufferInto() throws Exception {
        for (boolean direct : new boolean[] {false, true}) {
            int count = 1_000_000;
            ByteBuffer received = direct ? ByteBuffer.allocateDirect(count * 4) : ByteBuffer.allocate(count * 4);
            try (Socket.Pair pair = Socket.pair()) {
                try (TaskGroup<Object> g = TaskGroup.open()) {
                    g.spawn(() -> {
                        ByteBuffer out = ByteBuffer.allocate(count * 4);
                        IntBuffer ints = out.asIntBuffer();
                        for (int i = 0; i < count; i++) {
                            ints.put(i);
                        }
                        pair.first().sendAll(out);
                    });
                    g.spawn(() -> {
                        while (received.hasRemaining()) {
                            if (pair.second().recvInto(received) < 0) {
                                break;
                            }
                        }
                    });
                    g.join();
                }
            }
            received.flip();
            IntBuffer ints = received.asIntBuffer();
            assertEquals(count, ints.remaining());
            for (int i = 0; i < count; i++) {
                if (ints.get(i) != i) {
                    throw new AssertionError("int " + i + " is " + ints.get(i));
                }
            }
        }
    }

    /** A stream reads a line, then fills a large buffer with readInto, byte for byte. */
    @CurioTest
    void bufferStreamInto() throws Exception {
        int count = 1_000_000;
        ByteBuffer received = ByteBuffer.allocate(count * 4);
        try (Socket.Pair pair = Socket.pair()) {
            try (TaskGroup<Object> g = TaskGroup.open()) {
                g.spawn(() -> {
                    ByteBuffer out = ByteBuffer.allocate(count * 4);
                    for (int i = 0; i < count; i++) {
                        out.putInt(i);
                    }
                    pair.first().sendAll(bytes("Hello world\n"));
                    pair.first().sendAll(out.flip());
                });
                g.spawn(() -> {
                    SocketStream stream = pair.second().asStream();
                    assertEquals("Hello world\n", text(stream.readLine()));
                    while (received.hasRemaining()) {
                        if (stream.readInto(received) == 0) {
                            break;
                        }
                    }
                });
                g.join();
            }
        }
        received.flip();
        for (int i = 0; i < count; i++) {
            if (received.getInt() != i) {
                throw new AssertionError("int " + i);
            }
        }
    }

    /** One task may wait to read while another waits to write the same socket. */
    @CurioTest
    void readWriteOnSameSocket() throws Exception {
        int n = 10_000_000;
        try (Socket.Pair pair = Socket.pair()) {
            Task<byte[]> t1 = Curio.spawn(() -> pair.first().recv(1000));
            Task<Void> t2 = Curio.spawn(() -> pair.first().sendAll(new byte[n]));
            pair.second().sendAll(bytes("x"));
            long got = 0;
            while (got < n) {
                got += pair.second().recv(n).length;
            }
            assertEquals("x", text(t1.join()));
            t2.join();
            assertEquals(n, got);
        }
    }

    /** Connecting to a port nobody listens on fails with ConnectException naming the address. */
    @CurioTest
    void connectRefused() throws Exception {
        SocketAddress closed;
        try (Socket s = listener()) {
            closed = s.localAddress();
        }
        try (Socket sock = Socket.open(Family.INET, Type.STREAM)) {
            ConnectException e = assertThrows(ConnectException.class, () -> sock.connect(closed));
            assertTrue(e.getMessage().startsWith("connection refused"), e.getMessage());
            assertTrue(e.getMessage().contains(closed.toString()), e.getMessage());
        }
    }

    /** An unresolved address passed to connect is looked up off the kernel thread first. */
    @CurioTest
    void connectResolvesNames() throws Exception {
        try (Socket server = listener()) {
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try (Socket sock = Socket.open(Family.INET, Type.STREAM);
                 Socket accepted = acceptAfterConnect(server, sock,
                         InetSocketAddress.createUnresolved("localhost", port))) {
                assertEquals(sock.localAddress(), accepted.remoteAddress());
                assertEquals(server.localAddress(), sock.remoteAddress());
            }
        }
    }

    private static Socket acceptAfterConnect(Socket server, Socket client, SocketAddress target)
            throws IOException, CancelledException {
        client.connect(target);
        return server.accept();
    }

    /** An IPv6 socket echoes over ::1, and a dual-stack IPv6 socket also reaches an IPv4 listener. */
    @CurioTest
    void ipv6Echo() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        try (Socket server = Socket.open(Family.INET6, Type.STREAM);
             Socket v4server = listener()) {
            server.bind(new InetSocketAddress(v6, 0));
            server.listen();
            try (Socket sock = Socket.open(Family.INET6, Type.STREAM);
                 Socket accepted = acceptAfterConnect(server, sock, server.localAddress())) {
                assertTrue(((InetSocketAddress) accepted.remoteAddress()).getAddress() instanceof Inet6Address);
                sock.sendAll(bytes("ping"));
                assertEquals("ping", text(accepted.recv(10)));
            }
            try (Socket sock = Socket.open(Family.INET6, Type.STREAM);
                 Socket accepted = acceptAfterConnect(v4server, sock, v4server.localAddress())) {
                accepted.sendAll(bytes("pong"));
                assertEquals("pong", text(sock.recv(10)));
            }
        }
    }

    /** A Unix-domain stream socket echoes, and its addresses are Unix-domain addresses. */
    @CurioTest
    void unixStreamEcho(@TempDir Path dir) throws Exception {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("echo.sock"));
        try (Socket server = Socket.open(Family.UNIX, Type.STREAM)) {
            server.bind(path);
            server.listen();
            assertEquals(path, server.localAddress());
            try (Socket sock = Socket.open(Family.UNIX, Type.STREAM);
                 Socket accepted = acceptAfterConnect(server, sock, path)) {
                assertEquals(path, sock.remoteAddress());
                sock.sendAll(bytes("hello"));
                assertEquals("hello", text(accepted.recv(100)));
                accepted.shutdownOutput();
                assertEquals(0, sock.recv(100).length);
            }
        }
    }

    /** Unix-domain datagrams carry the sender's path; binding an existing path is refused. */
    @CurioTest
    void unixDatagrams(@TempDir Path dir) throws Exception {
        UnixDomainSocketAddress a = UnixDomainSocketAddress.of(dir.resolve("a.sock"));
        UnixDomainSocketAddress b = UnixDomainSocketAddress.of(dir.resolve("b.sock"));
        try (Socket sa = Socket.open(Family.UNIX, Type.DATAGRAM);
             Socket sb = Socket.open(Family.UNIX, Type.DATAGRAM);
             Socket other = Socket.open(Family.UNIX, Type.DATAGRAM)) {
            sa.bind(a);
            sb.bind(b);
            assertEquals(4, sa.sendTo(bytes("ping"), b));
            Datagram d = sb.recvFrom(100);
            assertEquals("ping", text(d.data()));
            assertEquals(a, d.sender());
            assertThrows(java.net.BindException.class, () -> other.bind(a));
        }
        assertTrue(Files.exists(a.getPath()));
    }

    /** A socket pair carries bytes both ways, and each end sees the other close. */
    @CurioTest
    void pairBothWays() throws Exception {
        try (Socket.Pair pair = Socket.pair()) {
            assertEquals(Family.UNIX, pair.first().family());
            pair.first().sendAll(bytes("to second"));
            pair.second().sendAll(bytes("to first"));
            assertEquals("to second", text(pair.second().recv(100)));
            assertEquals("to first", text(pair.first().recv(100)));
            pair.first().close();
            assertEquals(0, pair.second().recv(100).length);
        }
    }

    /** Socket options read back what was set; an unsupported option is refused clearly. */
    @CurioTest
    void options() throws Exception {
        try (Socket sock = Socket.open(Family.INET, Type.STREAM)) {
            sock.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(sock.option(StandardSocketOptions.TCP_NODELAY));
            sock.setOption(StandardSocketOptions.TCP_NODELAY, false);
            assertFalse(sock.option(StandardSocketOptions.TCP_NODELAY));
            sock.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            assertTrue(sock.option(StandardSocketOptions.SO_REUSEADDR));
            sock.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            assertTrue(sock.option(StandardSocketOptions.SO_KEEPALIVE));
            sock.setOption(StandardSocketOptions.SO_LINGER, 3);
            assertEquals(3, sock.option(StandardSocketOptions.SO_LINGER));
            sock.setOption(StandardSocketOptions.SO_SNDBUF, 65536);
            assertTrue(sock.option(StandardSocketOptions.SO_SNDBUF) >= 65536);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> sock.option(StandardSocketOptions.IP_MULTICAST_TTL));
            assertEquals("socket option not supported: IP_MULTICAST_TTL", e.getMessage());
        }
    }

    /** Every use of a closed socket fails with "socket closed"; closing twice is harmless. */
    @CurioTest
    void closedSocketUsedAgain() throws Exception {
        Socket.Pair pair = Socket.pair();
        Socket s = pair.first();
        s.close();
        s.close();
        assertEquals(-1, s.fd());
        for (Throwing call : new Throwing[] {
            () -> s.recv(10), () -> s.send(bytes("x")), () -> s.sendAll(bytes("x")),
            () -> s.recvInto(ByteBuffer.allocate(1)), s::accept, s::localAddress, s::shutdownOutput,
            () -> s.option(StandardSocketOptions.SO_RCVBUF), s::detach, s::waitReadable}) {
            SocketException e = assertThrows(SocketException.class, call::run);
            assertEquals("socket closed", e.getMessage());
        }
        pair.close();
    }

    /** A call that may throw anything. */
    @FunctionalInterface
    interface Throwing {
        void run() throws Exception;
    }

    /** Addresses of the wrong family or unresolved ones are refused at the call, naming the address. */
    @CurioTest
    void invalidAddresses() throws Exception {
        try (Socket inet = Socket.open(Family.INET, Type.STREAM);
             Socket unix = Socket.open(Family.UNIX, Type.STREAM)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> inet.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0)));
            assertTrue(e.getMessage().startsWith("an INET socket cannot use an IPv6 address for bind"));
            e = assertThrows(IllegalArgumentException.class,
                    () -> inet.bind(UnixDomainSocketAddress.of("/tmp/x")));
            assertTrue(e.getMessage().startsWith("an INET socket needs an InetSocketAddress"));
            e = assertThrows(IllegalArgumentException.class,
                    () -> unix.connect(new InetSocketAddress(IoHarness.LOOPBACK, 1)));
            assertTrue(e.getMessage().startsWith("a UNIX socket needs a UnixDomainSocketAddress"));
            e = assertThrows(IllegalArgumentException.class,
                    () -> inet.bind(InetSocketAddress.createUnresolved("localhost", 0)));
            assertTrue(e.getMessage().startsWith("unresolved address for bind"));
            e = assertThrows(IllegalArgumentException.class, () -> inet.recv(-1));
            assertEquals("maxBytes must not be negative: -1", e.getMessage());
            assertThrows(java.net.UnknownHostException.class,      // an invalid literal: no DNS query
                    () -> inet.connect(InetSocketAddress.createUnresolved("[::no-dns]", 80)));
        }
    }

    /** Binding a port that another socket holds fails with BindException. */
    @CurioTest
    void bindInUse() throws Exception {
        try (Socket first = listener(); Socket second = Socket.open(Family.INET, Type.STREAM)) {
            java.net.BindException e = assertThrows(java.net.BindException.class,
                    () -> second.bind(first.localAddress()));
            assertTrue(e.getMessage().startsWith("bind failed: address already in use"), e.getMessage());
        }
    }

    /** waitReadable returns once data is there; a zero-byte recv returns at once. */
    @CurioTest
    void waitReadable(Steps steps) throws Exception {
        try (Socket.Pair pair = Socket.pair()) {
            Task<?> t = Curio.spawn(() -> {
                steps.record("wait");
                pair.second().waitReadable();
                steps.record("readable");
                steps.record(text(pair.second().recv(10)));
            });
            Timeouts.sleep(seconds(1));
            steps.record("send");
            assertEquals(0, pair.second().recv(0).length);
            pair.first().sendAll(bytes("data"));
            t.join();
        }
        steps.assertEvents("wait", "send", "readable", "data");
    }

    /** An empty array is what recv returns at end of stream, repeatedly. */
    @CurioTest
    void endOfStreamRepeats() throws Exception {
        try (Socket.Pair pair = Socket.pair()) {
            pair.first().sendAll(bytes("last"));
            pair.first().shutdownOutput();
            assertArrayEquals(bytes("last"), pair.second().recv(100));
            for (int i = 0; i < 3; i++) {
                assertEquals(0, pair.second().recv(100).length);
                assertEquals(-1, pair.second().recvInto(ByteBuffer.allocate(10)));
            }
        }
    }
}
