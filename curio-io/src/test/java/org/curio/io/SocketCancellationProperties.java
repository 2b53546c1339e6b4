package org.curio.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;

/**
 * Random cancellation of socket operations over socket pairs (RELIABILITY.md R2, socket part): a byte
 * reported sent is received exactly once and in order, no byte is invented or lost on the reading
 * side either, and nothing (registration, task, descriptor) is left behind.
 */
class SocketCancellationProperties {

    /** A send of {@code size} bytes cut off after {@code patienceMicros} by a timeout or a cancel. */
    record Send(int size, int patienceMicros, boolean byCancel) {}

    /** A read of at most {@code size} bytes, by socket or by stream, cut off after {@code patienceMicros}. */
    record Read(int size, int patienceMicros, int how) {}

    @Provide
    Arbitrary<Send> sends() {
        return Combinators.combine(Arbitraries.integers().between(1, 400_000),
                Arbitraries.integers().between(0, 3_000), Arbitraries.of(false, true)).as(Send::new);
    }

    @Provide
    Arbitrary<Read> reads() {
        // Reads are patient for at least 100 µs: the virtual clock stands still while any task can run,
        // so a reader that always gave up at once would keep a sleeping writer from ever waking.
        return Combinators.combine(Arbitraries.integers().between(1, 300_000),
                Arbitraries.integers().between(100, 3_000), Arbitraries.integers().between(0, 3)).as(Read::new);
    }

    /** The byte at stream offset {@code k}: a pattern in which a lost or repeated stretch shows. */
    static byte pattern(long k) {
        return (byte) ((k * 0x9E3779B97F4A7C15L) >>> 56);
    }

    /** Sent bytes arrive exactly once and in order under random timeouts and cancels on both sides. */
    @Property(tries = 200)
    void bytesReportedSentArriveExactlyOnce(@ForAll @Size(min = 1, max = 12) List<@From("sends") Send> sends,
                                            @ForAll @Size(min = 1, max = 12) List<@From("reads") Read> reads) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> IoHarness.run(
                VirtualClock.withAutojumpThreshold(Duration.ZERO), () -> {
                    run(sends, reads);
                    return null;
                }));
    }

    private static void run(List<Send> sends, List<Read> reads) throws Exception {
        long[] sent = new long[1];
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (Socket.Pair pair = Socket.pair()) {
            pair.first().setOption(StandardSocketOptions.SO_SNDBUF, 16_384);
            pair.second().setOption(StandardSocketOptions.SO_RCVBUF, 16_384);
            try (TaskGroup<Object> group = TaskGroup.open()) {
                group.spawn(() -> {
                    for (Send s : sends) {
                        ByteBuffer buf = ByteBuffer.allocate(s.size());
                        for (int i = 0; i < s.size(); i++) {
                            buf.put(i, pattern(sent[0] + i));
                        }
                        send(pair.first(), buf, s);
                        sent[0] += buf.position();            // exactly what the socket took
                    }
                    pair.first().shutdownOutput();
                });
                group.spawn(() -> {
                    SocketStream stream = pair.second().asStream();
                    int r = 0;
                    while (true) {
                        Read read = reads.get(r++ % reads.size());
                        if (!receive(pair.second(), stream, read, received)) {
                            break;
                        }
                    }
                });
                group.join();
                group.results();
            }
        }
        byte[] got = received.toByteArray();
        assertEquals(sent[0], got.length, "bytes received vs. reported sent");
        for (int k = 0; k < got.length; k++) {
            if (got[k] != pattern(k)) {
                throw new AssertionError("byte " + k + " of " + got.length + " is wrong: lost or repeated bytes");
            }
        }
    }

    private static void send(Socket sock, ByteBuffer buf, Send s) throws Exception {
        Duration patience = Duration.ofNanos(s.patienceMicros() * 1_000L);
        if (!s.byCancel()) {
            Timeouts.ignoreAfter(patience, () -> sock.sendAll(buf));
            return;
        }
        Task<?> t = Curio.spawn(() -> sock.sendAll(buf));
        Timeouts.sleep(patience);
        t.cancel();
        if (t.exception().isPresent() && !(t.exception().get() instanceof CancelledException)) {
            throw new AssertionError("send failed", t.exception().get());
        }
    }

    /** Reads once in the chosen way; returns false at end of stream. */
    private static boolean receive(Socket sock, SocketStream stream, Read read, ByteArrayOutputStream out)
            throws Exception {
        Duration patience = Duration.ofNanos(read.patienceMicros() * 1_000L);
        switch (read.how()) {
            case 0 -> {                                              // recvInto under a timeout
                if (stream.buffered() > 0) {
                    out.write(stream.takeBuffered());
                }
                ByteBuffer buf = ByteBuffer.allocate(read.size());
                int[] n = {0};
                Timeouts.ignoreAfter(patience, () -> {
                    n[0] = sock.recvInto(buf);
                });
                out.write(buf.array(), 0, buf.position());
                return n[0] >= 0;
            }
            case 1 -> {                                              // readExactly under a timeout
                try {
                    byte[] b = Timeouts.after(patience, () -> stream.readExactly(read.size()));
                    out.write(b);
                    return true;
                } catch (CancelledException e) {
                    out.write(stream.takeBuffered());                // the partial read is kept
                    return true;
                } catch (java.io.EOFException e) {
                    out.write(stream.takeBuffered());
                    return false;
                }
            }
            case 2 -> {                                              // readAll cancelled by another task
                Task<byte[]> t = Curio.spawn(stream::readAll);
                Timeouts.sleep(patience);
                t.cancel();
                if (t.exception().isEmpty()) {
                    out.write(t.result());
                    return false;                                    // readAll ends at end of stream
                }
                out.write(stream.takeBuffered());
                return true;
            }
            default -> {                                             // a plain stream read
                byte[] b = Timeouts.ignoreAfter(patience, () -> stream.read(read.size())).orElse(null);
                if (b == null) {
                    return true;
                }
                out.write(b);
                return b.length > 0;
            }
        }
    }
}
