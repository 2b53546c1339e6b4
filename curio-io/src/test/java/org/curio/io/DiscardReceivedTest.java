package org.curio.io;

import static org.curio.io.IoHarness.anyPort;
import static org.curio.io.IoHarness.bytes;
import static org.curio.io.IoHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;

import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;

/**
 * A TCP socket closed while bytes it never read sit in its receive buffer resets the connection; one
 * that throws them away first ({@link Socket#discardReceived()}) ends it with FIN. TLS relies on it to
 * close without a reset when the peer's session ticket was never read.
 */
class DiscardReceivedTest {
    private static final int SENT = 10_000;

    /** A connected TCP pair over loopback: {@code [client, server]}. */
    private static Socket.Pair tcpPair() throws IOException, CancelledException {
        try (Socket listener = Socket.open(Family.INET, Type.STREAM)) {
            listener.bind(anyPort());
            listener.listen(1);
            Socket client = Socket.open(Family.INET, Type.STREAM);
            client.connect(listener.localAddress());
            return new Socket.Pair(client, listener.accept());
        }
    }

    /**
     * The closer is sent 222 bytes it never reads, sends 10,000 and closes; then the reader reads until
     * end of stream, a reset or 10 s of virtual time, and records what it saw.
     */
    private static void closeWithUnreadBytes(boolean discard, Steps steps) throws Exception {
        try (Socket.Pair pair = tcpPair()) {
            Socket closer = pair.first();
            Socket reader = pair.second();
            reader.sendAll(new byte[222]);
            closer.waitReadable();                              // the 222 bytes are in the closer's buffer
            closer.sendAll(bytes("x".repeat(SENT)));
            if (discard) {
                steps.record("closer threw away " + closer.discardReceived() + " bytes");
            }
            closer.close();
            ByteBuffer got = ByteBuffer.allocate(SENT + 100);
            try {
                int n;
                while ((n = Timeouts.after(seconds(10), () -> reader.recvInto(got))) > 0) {
                    // read until end of stream or a failure
                }
                steps.record("reader got " + got.position() + " bytes, then " + (n < 0 ? "end of stream" : n));
            } catch (SocketException e) {
                steps.record("reader got " + got.position() + " bytes, then " + e.getMessage());
            }
        }
    }

    /** Throwing the unread bytes away before the close makes it an orderly end: the reader sees FIN. */
    @CurioTest
    void discardingBeforeCloseEndsWithFin(Steps steps) throws Exception {
        closeWithUnreadBytes(true, steps);
        steps.assertEvents("closer threw away 222 bytes", "reader got 10000 bytes, then end of stream");
    }

    /**
     * A plain close does not discard (as curio's, and the C library's, does not): the unread bytes make
     * it a reset, which the reader sees after the data that had arrived.
     */
    @CurioTest
    void plainCloseWithUnreadBytesResets(Steps steps) throws Exception {
        closeWithUnreadBytes(false, steps);
        steps.assertEvents("reader got 10000 bytes, then connection reset by peer");
    }

    /**
     * With nothing unread, it throws away nothing and returns at once, and the socket goes on working:
     * the next receive gets what comes next.
     */
    @CurioTest
    void nothingUnreadDiscardsNothing(Steps steps) throws Exception {
        try (Socket.Pair pair = tcpPair()) {
            Socket a = pair.first();
            Socket b = pair.second();
            b.sendAll(bytes("first"));
            steps.record(IoHarness.text(a.recv(100)));
            steps.record("threw away " + a.discardReceived());
            b.sendAll(bytes("second"));
            steps.record(IoHarness.text(Timeouts.after(seconds(10), () -> a.recv(100))));
        }
        steps.assertEvents("first", "threw away 0", "second");
    }
}
