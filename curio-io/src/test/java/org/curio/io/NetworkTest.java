package org.curio.io;

import static org.curio.io.IoHarness.LOOPBACK;
import static org.curio.io.IoHarness.bytes;
import static org.curio.io.IoHarness.seconds;
import static org.curio.io.IoHarness.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Curio 1.6's {@code tests/test_network.py}, ported, plus connections by name and happy eyeballs. */
class NetworkTest {
    /** {@return a handler that echoes what its client sends, recording each step in {@code steps}} */
    private static Network.ClientHandler<Socket> echoHandler(Steps steps) {
        return (client, address) -> {
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
        };
    }

    private static void echoClient(Steps steps, Socket sock, Task<?> server) throws IOException, CancelledException {
        sock.send(bytes("Msg1"));
        Timeouts.sleep(seconds(0.1));
        steps.record("client " + text(sock.recv(100)));
        sock.send(bytes("Msg2"));
        Timeouts.sleep(seconds(0.1));
        steps.record("client " + text(sock.recv(100)));
        steps.record("client close");
        sock.close();
        Timeouts.sleep(seconds(0.1));
        server.cancel();
    }

    /** A TCP server runs a task per client; the echo interleaves exactly as in curio. */
    @CurioTest
    void tcpEcho(Steps steps) throws Exception {
        Socket listening = Network.tcpServerSocket("127.0.0.1", 0);
        InetSocketAddress address = (InetSocketAddress) listening.localAddress();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            Task<?> serv = g.spawn(() -> Network.runServer(listening, echoHandler(steps)));
            g.spawn(() -> {
                steps.record("client start");
                echoClient(steps, Network.openConnection("localhost", address.getPort()), serv);
            });
            g.join();
        }
        assertFalse(listening.isOpen());
        steps.assertEvents("client start", "handler start", "recv wait", "handler Msg1", "recv wait",
                "client Msg1", "handler Msg2", "recv wait", "client Msg2", "client close", "handler done");
    }

    /** tcpServer binds the given port itself and serves until cancelled. */
    @CurioTest
    void tcpServerOnPort(Steps steps) throws Exception {
        int port;
        try (Socket probe = Network.tcpServerSocket("127.0.0.1", 0)) {
            port = ((InetSocketAddress) probe.localAddress()).getPort();
        }
        Task<?> serv = Curio.spawn(() -> Network.tcpServer("127.0.0.1", port,
                (client, address) -> client.sendAll(bytes("hello " + ((InetSocketAddress) address).getAddress()
                        .getHostAddress()))));
        Curio.schedule();
        try (Socket sock = Network.openConnection("127.0.0.1", port)) {
            steps.record(text(sock.asStream().readAll()));
        }
        serv.cancel();
        assertThrows(ConnectException.class, () -> Network.openConnection("127.0.0.1", port));
        steps.assertEvents("hello 127.0.0.1");
    }

    /** A Unix server echoes, and removes its socket file when cancelled. */
    @CurioTest
    void unixEcho(@TempDir Path dir, Steps steps) throws Exception {
        Path path = dir.resolve("curionet");
        try (TaskGroup<Object> g = TaskGroup.open()) {
            Task<?> serv = g.spawn(() -> Network.unixServer(path, echoHandler(steps)));
            g.spawn(() -> {
                steps.record("client start");
                echoClient(steps, Network.openUnixConnection(path), serv);
            });
            g.join();
        }
        steps.assertEvents("client start", "handler start", "recv wait", "handler Msg1", "recv wait",
                "client Msg1", "handler Msg2", "recv wait", "client Msg2", "client close", "handler done");
        assertFalse(Files.exists(path));
    }

    /** serve runs a handler written for any Connection over a listener seen only as a Listener. */
    @CurioTest
    void serveOverAnyListener(Steps steps) throws Exception {
        Socket listening = Network.tcpServerSocket("127.0.0.1", 0);
        int port = ((InetSocketAddress) listening.localAddress()).getPort();
        Listener<? extends Connection> listener = listening;
        Network.ClientHandler<Connection> lineEcho = (client, address) -> {
            ByteStream stream = client.asStream();
            stream.forEachLine(line -> {
                steps.record("server " + text(line).strip());
                stream.write(line);
            });
            steps.record("server end");
        };
        Task<?> serv = Curio.spawn(() -> Network.serve(listener, lineEcho));
        Connector<Socket> connector = Network.connector("127.0.0.1", port);
        try (Socket sock = connector.connect()) {
            SocketStream stream = sock.asStream();
            stream.write(bytes("one\n"));
            steps.record("client " + text(stream.readLine()).strip());
            sock.shutdownOutput();
            steps.record("client " + stream.readAll().length);
        }
        serv.cancel();
        assertFalse(listening.isOpen());
        steps.assertEvents("server one", "client one", "server end", "client 0");
    }

    /** runServer takes a handler written for Connection, and connector checks its port at once. */
    @CurioTest
    void socketServersTakeConnectionHandlers(Steps steps) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Network.connector("127.0.0.1", 65536));
        Socket listening = Network.tcpServerSocket("127.0.0.1", 0);
        int port = ((InetSocketAddress) listening.localAddress()).getPort();
        Network.ClientHandler<Connection> greet = (client, address) -> client.sendAll(bytes("hi"));
        Task<?> serv = Curio.spawn(() -> Network.runServer(listening, greet));
        try (Socket sock = Network.connector("127.0.0.1", port).connect()) {
            steps.record(text(sock.asStream().readAll()));
        }
        serv.cancel();
        steps.assertEvents("hi");
    }

    /** A failing handler is logged and the server goes on serving the next client. */
    @CurioTest
    void handlerFailureDoesNotStopTheServer(Steps steps) throws Exception {
        Socket listening = Network.tcpServerSocket("127.0.0.1", 0);
        int port = ((InetSocketAddress) listening.localAddress()).getPort();
        int[] served = new int[1];
        Task<?> serv = Curio.spawn(() -> Network.runServer(listening, (client, address) -> {
            if (served[0]++ == 0) {
                throw new IllegalStateException("first client fails on purpose");
            }
            client.sendAll(bytes("second served"));
        }));
        try (Socket first = Network.openConnection("127.0.0.1", port)) {
            steps.record("first " + first.recv(100).length);           // closed by the server: EOF
        }
        try (Socket second = Network.openConnection("127.0.0.1", port)) {
            steps.record(text(second.recv(100)));
        }
        serv.cancel();
        steps.assertEvents("first 0", "second served");
    }

    /** Cancelling a server cancels its clients' tasks, which see the cancellation, and waits for them. */
    @CurioTest
    void serverCancelEndsClients(Steps steps) throws Exception {
        Socket listening = Network.tcpServerSocket("127.0.0.1", 0);
        int port = ((InetSocketAddress) listening.localAddress()).getPort();
        Task<?> serv = Curio.spawn(() -> Network.runServer(listening, (client, address) -> {
            steps.record("client waits");
            try {
                client.recv(100);
            } catch (CancelledException e) {
                steps.record("client cancelled");
                throw e;
            }
        }));
        try (Socket a = Network.openConnection("127.0.0.1", port);
             Socket b = Network.openConnection("127.0.0.1", port)) {
            Timeouts.sleep(seconds(0.1));
            steps.record("cancel");
            serv.cancel();
            steps.record("cancelled");
            assertEquals(0, a.recv(10).length);
            assertEquals(0, b.recv(10).length);
        }
        steps.assertEvents("client waits", "client waits", "cancel", "client cancelled", "client cancelled",
                "cancelled");
    }

    /** openConnection with a source address: the server sees the client's chosen port (curio's create_connection). */
    @CurioTest
    void openConnectionFromSource() throws Exception {
        InetSocketAddress source;
        try (Socket probe = Socket.open(Family.INET, Type.STREAM)) {
            probe.bind(new InetSocketAddress(LOOPBACK, 0));
            source = (InetSocketAddress) probe.localAddress();
        }
        try (Socket server = Network.tcpServerSocket("127.0.0.1", 0)) {
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try (Socket sock = Network.openConnection("127.0.0.1", port, source);
                 Socket accepted = server.accept()) {
                assertEquals(source, accepted.remoteAddress());
                assertEquals(source, sock.localAddress());
            }
        }
    }

    /** Connecting where nobody listens fails with ConnectException; an unknown name with UnknownHostException. */
    @CurioTest
    void badConnections() throws Exception {
        int port;
        try (Socket probe = Network.tcpServerSocket("127.0.0.1", 0)) {
            port = ((InetSocketAddress) probe.localAddress()).getPort();
        }
        ConnectException e = assertThrows(ConnectException.class, () -> Network.openConnection("127.0.0.1", port));
        assertEquals("connection refused: /127.0.0.1:" + port, e.getMessage());
        // An invalid literal is unknown without a DNS query, so the test stays off the network.
        assertThrows(UnknownHostException.class, () -> Network.openConnection("[::no-dns]", 80));
        assertThrows(IOException.class, () -> Network.openUnixConnection(Path.of("/nonexistent/curio.sock")));
        assertThrows(IllegalArgumentException.class, () -> Network.openConnection("127.0.0.1", 70000));
        assertThrows(IOException.class, () -> Network.unixServerSocket(Path.of("/tmp"), 5));
    }

    /** lookup parses literals at once and resolves names on another thread. */
    @CurioTest
    void lookup() throws Exception {
        assertEquals(List.of(InetAddress.getByName("127.0.0.1")), Network.lookup("127.0.0.1"));
        assertEquals(List.of(InetAddress.getByName("::1")), Network.lookup("::1"));
        assertTrue(Network.lookup("localhost").stream().anyMatch(InetAddress::isLoopbackAddress));
        assertThrows(UnknownHostException.class, () -> Network.lookup("[::no-dns]"));   // no DNS query
    }

    /** Happy eyeballs reorders targets so that address families alternate, first family first. */
    @Test
    void interleavesFamilies() throws Exception {
        InetSocketAddress a6 = new InetSocketAddress(InetAddress.getByName("::1"), 1);
        InetSocketAddress b6 = new InetSocketAddress(InetAddress.getByName("::2"), 1);
        InetSocketAddress c6 = new InetSocketAddress(InetAddress.getByName("::3"), 1);
        InetSocketAddress a4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1);
        InetSocketAddress b4 = new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 1);
        assertEquals(List.of(a6, a4, b6, b4, c6), Network.interleave(List.of(a6, b6, c6, a4, b4)));
        assertEquals(List.of(a4, a6, b4, b6, c6), Network.interleave(List.of(a4, b4, a6, b6, c6)));
    }

    /**
     * A listener whose accept queue is full: connections to it hang (their SYN is dropped), as to a
     * slow or black-holed address. Returns the listener and the sockets filling its queue.
     */
    private static List<Socket> blackHole() throws IOException, CancelledException {
        List<Socket> sockets = new ArrayList<>();
        Socket listener = Socket.open(Family.INET, Type.STREAM);
        listener.bind(new InetSocketAddress(LOOPBACK, 0));
        listener.listen(0);
        sockets.add(listener);
        for (int i = 0; i < 2; i++) {                 // backlog 0 still queues one; a second fills it
            Socket filler = Socket.open(Family.INET, Type.STREAM);
            sockets.add(filler);
            try {
                Timeouts.after(seconds(0.05), () -> filler.connect(listener.localAddress()));
            } catch (CancelledException e) {
                break;
            }
        }
        return sockets;
    }

    /** A hanging first attempt lets the second start after the delay; the second wins, the first is closed. */
    @CurioTest
    void happyEyeballsSlowFirst() throws Exception {
        List<Socket> hole = blackHole();
        try (Socket good = Network.tcpServerSocket("127.0.0.1", 0)) {
            InetSocketAddress slow = (InetSocketAddress) hole.getFirst().localAddress();
            long start = Timeouts.clock();
            try (Socket winner = Network.happyEyeballs(List.of(slow, (InetSocketAddress) good.localAddress()),
                    Duration.ofMillis(300));
                 Socket accepted = good.accept()) {
                assertEquals(winner.localAddress(), accepted.remoteAddress());
                assertEquals(Duration.ofMillis(300), Duration.ofNanos(Timeouts.clock() - start));
            }
        } finally {
            hole.forEach(Socket::close);
        }
    }

    /** A first attempt that fails at once starts the next one at once, without waiting for the delay. */
    @CurioTest
    void happyEyeballsFailedFirst() throws Exception {
        InetSocketAddress refused;
        try (Socket probe = Network.tcpServerSocket("127.0.0.1", 0)) {
            refused = (InetSocketAddress) probe.localAddress();
        }
        try (Socket good = Network.tcpServerSocket("::1", 0)) {
            long start = Timeouts.clock();
            try (Socket winner = Network.happyEyeballs(List.of(refused,
                    (InetSocketAddress) good.localAddress()), Duration.ofSeconds(5));
                 Socket accepted = good.accept()) {
                assertEquals(Family.INET6, winner.family());
                assertEquals(winner.localAddress(), accepted.remoteAddress());
                assertEquals(0, Timeouts.clock() - start);
            }
        }
    }

    /** When every attempt fails, happy eyeballs throws ConnectException carrying each failure. */
    @CurioTest
    void happyEyeballsAllFail() throws Exception {
        List<InetSocketAddress> refused = new ArrayList<>();
        for (String host : List.of("127.0.0.1", "::1", "127.0.0.1")) {
            try (Socket probe = Network.tcpServerSocket(host, 0)) {
                refused.add((InetSocketAddress) probe.localAddress());
            }
        }
        ConnectException e = assertThrows(ConnectException.class,
                () -> Network.happyEyeballs(refused, Duration.ofMillis(250)));
        assertEquals(3, e.getSuppressed().length);
        assertTrue(e.getMessage().startsWith("cannot connect to any of"), e.getMessage());
    }

    /** Happy eyeballs cancelled from outside (a timeout) cancels and closes every attempt. */
    @CurioTest
    void happyEyeballsTimesOut() throws Exception {
        List<Socket> hole = blackHole();
        try {
            InetSocketAddress slow = (InetSocketAddress) hole.getFirst().localAddress();
            boolean expired = Timeouts.ignoreAfter(seconds(1),
                    () -> Network.happyEyeballs(List.of(slow, slow, slow), Duration.ofMillis(100))).isEmpty();
            assertTrue(expired);
        } finally {
            hole.forEach(Socket::close);
        }
    }

    /** Happy eyeballs by name: localhost reaches a loopback server. */
    @CurioTest
    void happyEyeballsByName() throws Exception {
        try (Socket v4 = Network.tcpServerSocket("127.0.0.1", 0)) {
            int port = ((InetSocketAddress) v4.localAddress()).getPort();
            try (Socket s = Network.happyEyeballs("127.0.0.1", port); Socket accepted = v4.accept()) {
                assertEquals(s.localAddress(), accepted.remoteAddress());
            }
        }
    }
}
