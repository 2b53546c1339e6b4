package org.curio.io;

import static org.curio.io.IoHarness.anyPort;
import static org.curio.io.IoHarness.bytes;
import static org.curio.io.IoHarness.seconds;
import static org.curio.io.IoHarness.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.io.internal.NativeFd;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * After a short read of a stream socket, the next receive waits for readiness instead of calling recv
 * for EAGAIN, unless the wake reported a hang-up or an error: the system calls this saves, and every
 * case in which the end of stream, a reset or data could otherwise be missed.
 */
class ReadSkipTest {
    /** Bounds every read of these tests: a read that would hang fails on the virtual clock instead. */
    private static final java.time.Duration PATIENCE = seconds(60);

    /**
     * Makes the JDK open the descriptors it keeps for the life of the process once java.net sockets are
     * used (its pre-close socket), before a test's descriptor count is taken.
     */
    @BeforeAll
    static void warmJavaNetSockets() throws IOException {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, IoHarness.LOOPBACK);
             java.net.Socket client = new java.net.Socket(IoHarness.LOOPBACK, server.getLocalPort());
             java.net.Socket accepted = server.accept()) {
            client.shutdownOutput();
            accepted.getInputStream().readAllBytes();
        }
    }

    private static Socket listener() throws IOException {
        Socket sock = Socket.open(Family.INET, Type.STREAM);
        sock.bind(anyPort());
        sock.listen(5);
        return sock;
    }

    /** A connected TCP pair over loopback: {@code [client, server]}. */
    private static Socket.Pair tcpPair() throws IOException, CancelledException {
        try (Socket listener = listener()) {
            Socket client = Socket.open(Family.INET, Type.STREAM);
            client.connect(listener.localAddress());
            return skipping(new Socket.Pair(client, listener.accept()));
        }
    }

    /** Turns the skip on for both sockets of {@code pair} (it is on by default, unless the property turns it off). */
    static Socket.Pair skipping(Socket.Pair pair) {
        skipping(pair.first());
        skipping(pair.second());
        return pair;
    }

    /** Turns the skip on for {@code sock}. */
    static Socket skipping(Socket sock) {
        sock.descriptor().skipDrainedReads(true);
        return sock;
    }

    private static String recv(Socket sock, int max) throws Exception {
        byte[] b = Timeouts.after(PATIENCE, () -> sock.recv(max));
        return b.length == 0 ? "EOF" : text(b);
    }

    /** Sends {@code text} from a daemon task after half a second, so that the reader waits for it first. */
    private static void sendLater(Socket peer, String text) throws CancelledException {
        Curio.spawnDaemon(() -> {
            Timeouts.sleep(seconds(0.5));
            peer.sendAll(bytes(text));
            return null;
        });
    }

    private static List<Long> counts(Socket sock) {
        NativeFd fd = sock.descriptor();
        return List.of(fd.readCalls(), fd.readsWouldBlock(), fd.readsSkipped());
    }

    /**
     * One echo round trip costs the server one recv: after the first would-block, every request is read
     * by a wait and one call, and the end of stream by one more (counts: calls, EAGAINs, skipped calls).
     */
    @CurioTest
    void echoRoundTripCostsOneRecv() throws Exception {
        int rounds = 20;
        try (Socket.Pair pair = tcpPair(); TaskGroup<Object> g = TaskGroup.open()) {
            Socket client = pair.first();
            Socket server = pair.second();
            g.spawn(() -> {
                ByteBuffer buf = ByteBuffer.allocate(1024);
                while (server.recvInto(buf.clear()) > 0) {
                    server.sendAll(buf.flip());
                }
            });
            g.spawn(() -> {
                byte[] request = new byte[100];
                for (int i = 0; i < rounds; i++) {
                    client.sendAll(request);
                    for (int got = 0; got < request.length; ) {
                        got += client.recv(request.length - got).length;
                    }
                }
                client.shutdownOutput();
            });
            g.join();
            assertEquals(List.of((long) rounds + 2, 1L, (long) rounds), counts(server));
        }
    }

    /**
     * Data and FIN that arrive together after a short read wake the reader with the hang-up, so it reads
     * the data and then the end of stream without waiting for an edge that will not come.
     */
    @CurioTest
    void dataAndFinTogetherWhileWaitingAfterShortRead(Steps steps) throws Exception {
        try (Socket.Pair pair = tcpPair()) {
            dataAndFinWhileWaiting(steps, pair);
        }
    }

    /** The same over a Unix-domain stream socket pair. */
    @CurioTest
    void dataAndFinTogetherOverUnixSockets(Steps steps) throws Exception {
        try (Socket.Pair pair = skipping(Socket.pair())) {
            dataAndFinWhileWaiting(steps, pair);
        }
    }

    private static void dataAndFinWhileWaiting(Steps steps, Socket.Pair pair) throws Exception {
        Socket peer = pair.first();
        Socket reader = pair.second();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                steps.record("got " + recv(reader, 100));
                steps.record("got " + recv(reader, 100));
                steps.record("got " + recv(reader, 100));
            });
            g.spawn(() -> {
                peer.sendAll(bytes("a"));
                Timeouts.sleep(seconds(1));
                steps.record("peer sends b and FIN");
                peer.sendAll(bytes("b"));
                peer.shutdownOutput();
            });
            g.join();
        }
        steps.assertEvents("got a", "peer sends b and FIN", "got b", "got EOF");
        assertEquals(1L, reader.descriptor().readsSkipped());
    }

    /**
     * Data and FIN that arrive after a short read while the reader does something else are remembered
     * with their hang-up: the reader's next receive returns the data, then the end of stream.
     */
    @CurioTest
    void dataAndFinRememberedAfterShortRead(Steps steps) throws Exception {
        try (Socket.Pair pair = tcpPair(); TaskGroup<Object> g = TaskGroup.open()) {
            Socket peer = pair.first();
            Socket reader = pair.second();
            g.spawn(() -> {
                steps.record("got " + recv(reader, 100));
                Timeouts.sleep(seconds(2));
                steps.record("got " + recv(reader, 100));
                steps.record("got " + recv(reader, 100));
            });
            g.spawn(() -> {
                peer.sendAll(bytes("a"));
                Timeouts.sleep(seconds(1));
                steps.record("peer sends b and FIN");
                peer.sendAll(bytes("b"));
                peer.shutdownOutput();
            });
            g.join();
            steps.assertEvents("got a", "peer sends b and FIN", "got b", "got EOF");
        }
    }

    /** Data then a reset after a short read: the reader gets the data, then the reset, and never hangs. */
    @CurioTest
    void dataThenResetAfterShortRead(Steps steps) throws Exception {
        try (Socket.Pair pair = tcpPair(); TaskGroup<Object> g = TaskGroup.open()) {
            Socket peer = pair.first();
            Socket reader = pair.second();
            g.spawn(() -> {
                steps.record("got " + recv(reader, 100));
                steps.record("got " + recv(reader, 100));
                SocketException e = assertThrows(SocketException.class, () -> recv(reader, 100));
                steps.record("failed: " + e.getMessage());
            });
            g.spawn(() -> {
                peer.sendAll(bytes("a"));
                Timeouts.sleep(seconds(1));
                steps.record("peer sends b and resets");
                peer.sendAll(bytes("b"));
                peer.setOption(StandardSocketOptions.SO_LINGER, 0);
                peer.close();
            });
            g.join();
            steps.assertEvents("got a", "peer sends b and resets", "got b", "failed: connection reset by peer");
        }
    }

    /**
     * A peer on a plain java.net socket writes, waits for the echo, then writes again and shuts down its
     * output at once: the server reads every byte and the end of stream.
     */
    @CurioTest(realClock = true)
    void plainJavaPeerWritesThenShutsDown() throws Exception {
        try (Socket listener = listener()) {
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            ByteArrayOutputStream peerGot = new ByteArrayOutputStream();
            Thread peer = Thread.ofPlatform().start(() -> {
                try (java.net.Socket s = new java.net.Socket(IoHarness.LOOPBACK, port)) {
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    out.write(bytes("first"));
                    peerGot.write(in.readNBytes(5));
                    out.write(bytes("second"));
                    s.shutdownOutput();
                    peerGot.write(in.readAllBytes());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            ByteArrayOutputStream serverGot = new ByteArrayOutputStream();
            try (Socket server = skipping(listener.accept())) {
                ByteBuffer buf = ByteBuffer.allocate(1024);
                while (server.recvInto(buf.clear()) > 0) {
                    serverGot.write(buf.array(), 0, buf.position());
                    server.sendAll(buf.flip());
                }
            }
            peer.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals("firstsecond", serverGot.toString(StandardCharsets.US_ASCII));
            assertEquals("firstsecond", peerGot.toString(StandardCharsets.US_ASCII));
        }
    }

    /**
     * A Python peer sends its last bytes and its FIN in one TCP segment (TCP_CORK), after the server's
     * short read of its first bytes: the server reads both and the end of stream.
     */
    @CurioTest(realClock = true)
    void pythonPeerSendsDataAndFinInOneSegment(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(python3() != null, "python3 is not installed");
        try (Socket listener = listener()) {
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            Path script = dir.resolve("peer.py");
            Files.writeString(script, String.join("\n",
                    "import socket, sys",
                    "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))",
                    "s.sendall(b'first')",
                    "got = b''",
                    "while len(got) < 5:",
                    "    got += s.recv(5 - len(got))",
                    "s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)",
                    "s.send(b'second')",
                    "s.shutdown(socket.SHUT_WR)",
                    "while True:",
                    "    b = s.recv(100)",
                    "    if not b: break",
                    "    got += b",
                    "sys.stdout.write(got.decode())",
                    ""));
            Process p = new ProcessBuilder(python3(), script.toString(), Integer.toString(port))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                ByteArrayOutputStream serverGot = new ByteArrayOutputStream();
                try (Socket server = skipping(listener.accept())) {
                    ByteBuffer buf = ByteBuffer.allocate(1024);
                    while (Timeouts.after(PATIENCE, () -> server.recvInto(buf.clear())) > 0) {
                        serverGot.write(buf.array(), 0, buf.position());
                        server.sendAll(buf.flip());
                    }
                }
                assertEquals("firstsecond", serverGot.toString(StandardCharsets.US_ASCII));
                assertEquals("firstsecond", new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
                p.getInputStream().close();
                p.getOutputStream().close();
                p.getErrorStream().close();
            }
        }
    }

    /**
     * A Python peer sends data, one byte of TCP urgent data and more data at once: the read that stops
     * short at the urgent mark is not taken for a drained socket (the wake reported urgent data), so the
     * bytes behind the mark are read without waiting for an edge that will not come.
     */
    @CurioTest(realClock = true)
    void urgentDataDoesNotPassForADrainedSocket(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(python3() != null, "python3 is not installed");
        try (Socket listener = listener()) {
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            Path script = dir.resolve("urgent.py");
            Files.writeString(script, String.join("\n",
                    "import socket, sys, time",
                    "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))",
                    "s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)",
                    "time.sleep(0.3)",                                  // the server waits for it first
                    "s.sendall(b'first')",
                    "got = b''",
                    "while len(got) < 5:",
                    "    got += s.recv(100)",
                    "s.send(b'abc')",
                    "s.send(b'X', socket.MSG_OOB)",
                    "s.send(b'def')",
                    "while len(got) < 11:",
                    "    got += s.recv(100)",
                    "sys.stdout.write(got.decode())",
                    "s.close()",
                    ""));
            Process p = new ProcessBuilder(python3(), script.toString(), Integer.toString(port))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                ByteArrayOutputStream serverGot = new ByteArrayOutputStream();
                try (Socket server = skipping(listener.accept())) {
                    ByteBuffer buf = ByteBuffer.allocate(1024);
                    while (Timeouts.after(seconds(5), () -> server.recvInto(buf.clear())) > 0) {
                        serverGot.write(buf.array(), 0, buf.position());
                        server.sendAll(buf.flip());
                        if (serverGot.size() == 5) {
                            Timeouts.sleep(seconds(0.5));        // the peer's three sends arrive meanwhile
                        }
                    }
                }
                assertEquals("firstabcdef", serverGot.toString(StandardCharsets.US_ASCII));
                assertEquals("firstabcdef", new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
                p.getInputStream().close();
                p.getOutputStream().close();
                p.getErrorStream().close();
            }
        }
    }

    private static String python3() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "python3");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /** Many one-byte sends, each read short: the reader gets every byte in order, waiting instead of failing. */
    @CurioTest
    void manyShortReads() throws Exception {
        int n = 200;
        try (Socket.Pair pair = tcpPair(); TaskGroup<Object> g = TaskGroup.open()) {
            Socket peer = pair.first();
            Socket reader = pair.second();
            StringBuilder got = new StringBuilder();
            g.spawn(() -> {
                for (String s = recv(reader, 64); !s.equals("EOF"); s = recv(reader, 64)) {
                    got.append(s);
                }
            });
            g.spawn(() -> {
                for (int i = 0; i < n; i++) {
                    peer.sendAll(new byte[] {(byte) ('a' + i % 26)});
                    Curio.schedule();
                }
                peer.shutdownOutput();
            });
            g.join();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < n; i++) {
                expected.append((char) ('a' + i % 26));
            }
            assertEquals(expected.toString(), got.toString());
            assertEquals(1L, reader.descriptor().readsWouldBlock(), "only the first read, before any data, would block");
        }
    }

    /** A read that times out while waiting after a short read leaves the socket usable: later data is read. */
    @CurioTest
    void timeoutWhileWaitingAfterShortRead(Steps steps) throws Exception {
        try (Socket.Pair pair = tcpPair()) {
            Socket peer = pair.first();
            Socket reader = pair.second();
            sendLater(peer, "a");
            steps.record("got " + recv(reader, 100));
            try {
                Timeouts.after(seconds(1), () -> reader.recv(100));
            } catch (TaskTimeoutException e) {
                steps.record("timed out");
            }
            peer.sendAll(bytes("c"));
            steps.record("got " + recv(reader, 100));
            peer.shutdownOutput();
            steps.record("got " + recv(reader, 100));
            steps.assertEvents("got a", "timed out", "got c", "got EOF");
        }
    }

    /**
     * A reader cancelled while waiting after a short read hands the socket on: another task reads the
     * next data and the end of stream.
     */
    @CurioTest
    void cancelledWaitAfterShortReadThenAnotherTaskReads(Steps steps) throws Exception {
        try (Socket.Pair pair = tcpPair()) {
            Socket peer = pair.first();
            Socket reader = pair.second();
            sendLater(peer, "a");
            Task<Void> first = Curio.spawn(() -> {
                steps.record("first got " + recv(reader, 100));
                try {
                    recv(reader, 100);
                } catch (TaskCancelledException e) {
                    steps.record("first cancelled");
                    throw e;
                }
            });
            Timeouts.sleep(seconds(1));
            first.cancel();
            Task<Void> second = Curio.spawn(() -> {
                steps.record("second got " + recv(reader, 100));
                steps.record("second got " + recv(reader, 100));
            });
            Timeouts.sleep(seconds(1));
            peer.sendAll(bytes("d"));
            peer.shutdownOutput();
            second.join();
            steps.assertEvents("first got a", "first cancelled", "second got d", "second got EOF");
        }
    }

    /**
     * waitReadable after a short read consumes the edge a skipped read would wait for, so the read after
     * it calls recv at once and gets the data.
     */
    @CurioTest
    void waitReadableAfterShortReadThenRecv(Steps steps) throws Exception {
        try (Socket.Pair pair = tcpPair(); TaskGroup<Object> g = TaskGroup.open()) {
            Socket peer = pair.first();
            Socket reader = pair.second();
            g.spawn(() -> {
                steps.record("got " + recv(reader, 100));
                Timeouts.after(PATIENCE, reader::waitReadable);
                steps.record("readable");
                steps.record("got " + recv(reader, 100));
            });
            g.spawn(() -> {
                peer.sendAll(bytes("a"));
                Timeouts.sleep(seconds(1));
                peer.sendAll(bytes("e"));
            });
            g.join();
            steps.assertEvents("got a", "readable", "got e");
        }
    }

    /** shutdownInput after a short read: the next receive answers end of stream at once, without a wait. */
    @CurioTest
    void shutdownInputAfterShortRead(Steps steps) throws Exception {
        try (Socket.Pair pair = tcpPair(); TaskGroup<Object> g = TaskGroup.open()) {
            Socket peer = pair.first();
            Socket reader = pair.second();
            g.spawn(() -> {
                steps.record("got " + recv(reader, 100));
                reader.shutdownInput();
                steps.record("got " + recv(reader, 100));
            });
            g.spawn(() -> peer.sendAll(bytes("a")));
            g.join();
            steps.assertEvents("got a", "got EOF");
            assertEquals(0L, reader.descriptor().readsSkipped());
        }
    }

    /** Datagram sockets never skip, even when asked: a short datagram says nothing about the next one. */
    @CurioTest
    void datagramReadsNeverSkip() throws Exception {
        try (Socket.Pair pair = skipping(Socket.pair(Type.DATAGRAM)); TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    assertEquals(1, Timeouts.after(PATIENCE, () -> pair.second().recvInto(ByteBuffer.allocate(10))));
                }
            });
            g.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    pair.first().send(new byte[] {1});
                    Timeouts.sleep(seconds(1));
                }
            });
            g.join();
            assertEquals(List.of(6L, 3L, 0L), counts(pair.second()));
        }
    }
}
