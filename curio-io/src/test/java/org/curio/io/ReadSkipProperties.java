package org.curio.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.traps.CancelledException;

/**
 * Random chunkings of a byte stream, ended by a FIN or a reset, read with random buffer sizes while
 * both sides yield at random: with reads skipped after short ones, the reader still sees every byte
 * and then the end of stream (after a reset: a prefix of the bytes, then the reset or the end), and
 * never hangs.
 */
class ReadSkipProperties {
    /** How the writer ends the stream. */
    enum End { FIN, RESET, CLOSE }

    /** The byte at stream offset {@code k}. */
    private static byte pattern(long k) {
        return (byte) ((k * 0x9E3779B97F4A7C15L) >>> 56);
    }

    /** Every byte arrives, in order, then the end; or, after a reset, a prefix and then the reset. */
    @Property(tries = 100)
    void readerSeesEveryByteThenTheEnd(@ForAll boolean tcp, @ForAll End end,
            @ForAll @Size(min = 0, max = 12) List<@IntRange(min = 1, max = 6000) Integer> chunks,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 9000) Integer> readSizes,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 3) Integer> writerYields,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 3) Integer> readerYields) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> IoHarness.run(
                VirtualClock.withAutojumpThreshold(Duration.ofSeconds(1)), () -> {
                    run(tcp, end, chunks, readSizes, writerYields, readerYields);
                    return null;
                }));
    }

    private static void run(boolean tcp, End end, List<Integer> chunks, List<Integer> readSizes,
            List<Integer> writerYields, List<Integer> readerYields) throws Exception {
        int total = chunks.stream().mapToInt(Integer::intValue).sum();
        byte[] sent = new byte[total];
        for (int k = 0; k < total; k++) {
            sent[k] = pattern(k);
        }
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        String[] how = {"none"};
        try (Socket.Pair pair = ReadSkipTest.skipping(tcp ? tcpPair() : Socket.pair());
             TaskGroup<Object> g = TaskGroup.open()) {
            Socket writer = pair.first();
            Socket reader = pair.second();
            g.spawn(() -> {
                int offset = 0;
                for (int i = 0; i < chunks.size(); i++) {
                    writer.sendAll(ByteBuffer.wrap(sent, offset, chunks.get(i)));
                    offset += chunks.get(i);
                    yieldTimes(writerYields.get(i % writerYields.size()));
                }
                switch (end) {
                    case FIN -> writer.shutdownOutput();
                    case RESET -> {
                        writer.setOption(StandardSocketOptions.SO_LINGER, 0);   // a reset over TCP
                        writer.close();
                    }
                    case CLOSE -> writer.close();
                }
            });
            g.spawn(() -> Timeouts.after(Duration.ofSeconds(60), () -> {
                for (int r = 0; ; r++) {
                    ByteBuffer buf = ByteBuffer.allocate(readSizes.get(r % readSizes.size()));
                    int n;
                    try {
                        n = reader.recvInto(buf);
                    } catch (SocketException e) {
                        how[0] = "reset";
                        return null;
                    }
                    if (n < 0) {
                        how[0] = "end";
                        return null;
                    }
                    received.write(buf.array(), 0, buf.position());
                    yieldTimes(readerYields.get(r % readerYields.size()));
                }
            }));
            g.join();
        }
        byte[] got = received.toByteArray();
        if (end == End.RESET && tcp) {
            assertTrue(got.length <= total && Arrays.equals(got, Arrays.copyOf(sent, got.length)),
                    "a prefix of the bytes sent before the reset");
            assertTrue(!how[0].equals("none"), "the reader saw the reset or the end");
        } else {
            assertEquals("end", how[0]);
            assertArrayEquals(sent, got, "every byte, in order");
        }
    }

    /** Yields {@code times} times, so that the other side runs and edges arrive while nobody waits. */
    private static void yieldTimes(int times) throws CancelledException {
        for (int i = 0; i < times; i++) {
            Curio.schedule();
        }
    }

    private static Socket.Pair tcpPair() throws IOException, CancelledException {
        try (Socket listener = Socket.open(Family.INET, Type.STREAM)) {
            listener.bind(IoHarness.anyPort());
            listener.listen(1);
            Socket client = Socket.open(Family.INET, Type.STREAM);
            client.connect(listener.localAddress());
            return new Socket.Pair(client, listener.accept());
        }
    }
}
