package org.curio.io;

import static org.curio.io.IoHarness.anyPort;
import static org.curio.io.IoHarness.bytes;
import static org.curio.io.IoHarness.seconds;
import static org.curio.io.IoHarness.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.WriteResourceBusyException;

/**
 * RELIABILITY.md's socket scenarios: peer reset mid-read, half-close, a slow reader, busy readers and
 * writers, closing a socket another task waits on, and descriptor reuse.
 */
class SocketReliabilityTest {
    /** A connected TCP pair over loopback: the client end first, then the accepted end. */
    private static Socket.Pair tcpPair() throws IOException, CancelledException {
        try (Socket server = Socket.open(Family.INET, Type.STREAM)) {
            server.bind(anyPort());
            server.listen();
            Socket client = Socket.open(Family.INET, Type.STREAM);
            client.connect(server.localAddress());
            return new Socket.Pair(client, server.accept());
        }
    }

    /** A peer that resets the connection mid-read makes the reader fail fast with "connection reset". */
    @CurioTest
    void peerResetMidRead(Steps steps, VirtualClock clock) throws Exception {
        try (Socket.Pair pair = tcpPair()) {
            SocketStream reader = pair.second().asStream();
            Task<?> t = Curio.spawn(() -> {
                try {
                    reader.readExactly(10);
                    steps.record("not here");
                } catch (SocketException e) {
                    steps.record(e.getMessage());
                    steps.record(text(reader.takeBuffered()));
                }
            });
            pair.first().sendAll(bytes("half"));
            Timeouts.sleep(seconds(0.1));
            pair.first().setOption(StandardSocketOptions.SO_LINGER, 0);
            pair.first().close();                               // RST
            t.join();
        }
        steps.assertEvents("connection reset by peer", "half");
        assertEquals(Duration.ofMillis(100), clock.elapsed());   // woken by the reset, not by a timeout
    }

    /**
     * Data and the end of the stream arriving under one readiness edge: the reader gets the data
     * (a short read), then the end of stream, without a second edge.
     */
    @CurioTest
    void dataAndEndOfStreamUnderOneEdge(Steps steps) throws Exception {
        try (Socket.Pair pair = tcpPair()) {
            Task<byte[]> reader = Curio.spawn(() -> pair.second().asStream().readAll());
            Timeouts.sleep(seconds(0.1));                        // the reader waits, registered
            pair.first().sendAll(bytes("last words"));
            pair.first().close();                                // FIN right behind the data
            steps.record(text(reader.join()));
        }
        steps.assertEvents("last words");
    }

    /** After a half-close the reader gets the exact bytes, then end of stream forever; it can still reply. */
    @CurioTest
    void halfClose(Steps steps) throws Exception {
        byte[] data = new byte[300_000];
        Arrays.fill(data, (byte) 7);
        try (Socket.Pair pair = tcpPair()) {
            Task<?> writer = Curio.spawn(() -> {
                pair.first().sendAll(data);
                pair.first().shutdownOutput();
                steps.record("reply " + text(pair.first().recv(100)));
            });
            SocketStream in = pair.second().asStream();
            assertArrayEquals(data, in.readAll());
            for (int i = 0; i < 3; i++) {
                assertEquals(0, in.read().length);
                assertEquals(0, pair.second().recv(10).length);
            }
            pair.second().sendAll(bytes("thanks"));
            writer.join();
        }
        steps.assertEvents("reply thanks");
    }

    /** A writer faster than its reader blocks in WRITE_WAIT with bounded progress; nothing is lost. */
    @CurioTest
    void slowReader() throws Exception {
        int total = 32 << 20;
        ByteBuffer data = ByteBuffer.allocate(total);
        for (int i = 0; i < total; i += 4) {
            data.putInt(i, i);
        }
        try (Socket.Pair pair = tcpPair()) {
            Task<?> writer = Curio.spawn(() -> pair.first().sendAll(data));
            Timeouts.sleep(seconds(1));
            assertEquals("WRITE_WAIT", writer.state());
            int inFlight = data.position();
            assertTrue(inFlight > 0 && inFlight < 16 << 20, "sent before any read: " + inFlight);
            ByteBuffer got = ByteBuffer.allocate(total);
            while (got.hasRemaining()) {
                ByteBuffer slice = got.slice(got.position(), Math.min(4096, got.remaining()));
                int n = pair.second().recvInto(slice);
                got.position(got.position() + n);
                if (got.position() % (4 << 20) < 4096) {
                    Timeouts.sleep(seconds(0.01));                 // a slow reader
                }
            }
            writer.join();
            assertEquals(data.flip(), got.flip());
        }
    }

    /** A second task that would have to wait to write a socket gets WriteResourceBusy at once. */
    @CurioTest
    void busySecondWriter() throws Exception {
        try (Socket.Pair pair = Socket.pair()) {
            Task<?> first = Curio.spawn(() -> pair.first().sendAll(new byte[8 << 20]));
            Timeouts.sleep(seconds(0.1));
            assertEquals("WRITE_WAIT", first.state());
            assertThrows(WriteResourceBusyException.class, () -> pair.first().sendAll(new byte[8 << 20]));
            first.cancel();
        }
    }

    /** Closing a socket that other tasks wait on (recv, send, accept) wakes each with "socket closed". */
    @CurioTest
    void closeWhileOthersWait(Steps steps) throws Exception {
        Socket.Pair pair = Socket.pair();
        Socket listener = Socket.open(Family.INET, Type.STREAM);
        listener.bind(anyPort());
        listener.listen();
        Task<?> reader = Curio.spawn(() -> waitFor(steps, "recv", () -> pair.first().recv(10)));
        Task<?> writer = Curio.spawn(() -> waitFor(steps, "send", () -> pair.first().sendAll(new byte[16 << 20])));
        Task<?> acceptor = Curio.spawn(() -> waitFor(steps, "accept", listener::accept));
        Timeouts.sleep(seconds(0.5));
        steps.record("closing");
        pair.first().close();
        listener.close();
        reader.join();
        writer.join();
        acceptor.join();
        pair.close();
        steps.assertEvents("closing", "recv: socket closed", "send: socket closed", "accept: socket closed");
    }

    /** An operation that may fail; used to record how a waiting call ends. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    private static void waitFor(Steps steps, String what, Call call) throws Exception {
        try {
            call.run();
            steps.record(what + ": returned");
        } catch (SocketException e) {
            steps.record(what + ": " + e.getMessage());
        }
    }

    /** A new socket that reuses a closed socket's descriptor number sees none of the old readiness. */
    @CurioTest
    void descriptorReuseHasNoStaleReadiness(Steps steps) throws Exception {
        Socket.Pair old = Socket.pair();
        Task<?> t = Curio.spawn(() -> old.first().recv(10));       // registers old.first()
        Timeouts.sleep(seconds(0.1));
        t.cancel();
        old.second().sendAll(bytes("stale"));                       // an edge nobody waits for
        Timeouts.sleep(seconds(0.1));
        int number = old.first().fd();
        old.close();
        try (Socket.Pair fresh = Socket.pair()) {
            Socket reused = fresh.first().fd() == number ? fresh.first() : fresh.second();
            Socket peer = reused == fresh.first() ? fresh.second() : fresh.first();
            assertEquals(number, reused.fd());
            try {
                Timeouts.after(seconds(0.5), () -> reused.recv(10));
                steps.record("stale data");
            } catch (TaskTimeoutException e) {
                steps.record("nothing to read");
            }
            peer.sendAll(bytes("fresh"));
            steps.record(text(reused.recv(10)));
        }
        steps.assertEvents("nothing to read", "fresh");
    }

    /** Readiness is registered once per socket and dropped by close: the ledger shows no registration. */
    @CurioTest
    void registrationsFollowSockets() throws Exception {
        try (Socket.Pair pair = Socket.pair()) {
            assertEquals(0, Curio.kernel().ledger().registrations());
            Task<byte[]> t = Curio.spawn(() -> pair.first().recv(10));
            Timeouts.sleep(seconds(0.1));
            assertEquals(1, Curio.kernel().ledger().registrations());
            pair.second().sendAll(bytes("a"));
            assertEquals("a", text(t.join()));
            pair.first().sendAll(bytes("b"));
            assertEquals("b", text(pair.second().recv(10)));
            assertEquals(1, Curio.kernel().ledger().registrations());
        }
        assertEquals(0, Curio.kernel().ledger().registrations());
    }
}
