package org.curio.io;

import static org.curio.io.IoHarness.bytes;
import static org.curio.io.IoHarness.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.curio.io.internal.ReadBuffer;
import org.curio.kernel.Curio;
import org.curio.test.CurioTest;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY.md's R22 at the stream level: a line read fails fast at its limit without buffering a
 * byte past it, leaves the stream in the documented state, and the buffer's growth saturates instead
 * of overflowing.
 */
class StreamLimitTest {
    /** A peer that sends a megabyte with no newline: readLine fails with exactly the limit buffered. */
    @CurioTest
    void lineLimitFailsBeforeBufferingPastIt() throws Exception {
        try (Socket.Pair pair = Socket.pair()) {
            byte[] flood = new byte[1 << 20];
            Arrays.fill(flood, (byte) 'x');
            Task<?> sender = Curio.spawn(() -> {
                pair.second().sendAll(flood);                // blocks once the socket buffers are full
                return null;
            });
            ByteStream stream = pair.first().asStream();
            assertEquals(ByteStream.DEFAULT_LINE_LIMIT, stream.lineLimit());
            LimitExceededException e = assertThrows(LimitExceededException.class, stream::readLine);
            assertEquals(ByteStream.DEFAULT_LINE_LIMIT, e.limit());
            assertTrue(e.getMessage().contains("65536") && e.getMessage().contains("setLineLimit"), e.getMessage());
            assertEquals(ByteStream.DEFAULT_LINE_LIMIT, stream.buffered(), "bytes buffered when it failed");
            stream.takeBuffered();
            stream.setLineLimit(100_000);                    // not a multiple of the read size
            assertThrows(LimitExceededException.class, stream::readLine);
            assertEquals(100_000, stream.buffered(), "bytes buffered when it failed");
            sender.cancel();
        }
    }

    /** The limit counts the newline; it is set per stream and per call. */
    @CurioTest
    void limitPerStreamAndPerCall() throws Exception {
        try (Socket.Pair pair = Socket.pair()) {
            pair.second().sendAll(bytes("012345678\n0123456789\n0123456789\n"));
            ByteStream stream = pair.first().asStream().setLineLimit(10);
            assertEquals("012345678\n", text(stream.readLine()));
            assertThrows(LimitExceededException.class, stream::readLine);
            assertEquals("0123456789\n", text(stream.readLineAtMost(11)));
            assertEquals("0123456789\n", text(stream.readLineAtMost(11)));
            assertThrows(IllegalArgumentException.class, () -> stream.readLineAtMost(0));
            assertThrows(IllegalArgumentException.class, () -> stream.setLineLimit(0));
        }
    }

    /**
     * After the failure the first {@code limit} bytes stay buffered and the rest is unread: the same read
     * fails again, {@code takeBuffered} hands over the head, and the rest of the line can still be read.
     */
    @CurioTest
    void stateAfterTheFailure() throws Exception {
        try (Socket.Pair pair = Socket.pair()) {
            pair.second().sendAll(bytes("abcdefghij-tail\nnext\n"));
            ByteStream stream = pair.first().asStream();
            assertThrows(LimitExceededException.class, () -> stream.readLineAtMost(10));
            assertEquals(10, stream.buffered());
            assertThrows(LimitExceededException.class, () -> stream.readLineAtMost(10));
            assertArrayEquals(bytes("abcdefghij"), stream.takeBuffered());
            assertEquals("-tail\n", text(stream.readLineAtMost(10)));
            assertEquals("next\n", text(stream.readLineAtMost(10)));
        }
    }

    /** A line that ends within the limit is found even when more than the limit is buffered. */
    @CurioTest
    void shortLineWithMoreBuffered() throws Exception {
        try (Socket.Pair pair = Socket.pair()) {
            ByteStream stream = pair.first().asStream();
            pair.second().sendAll(bytes("xab\n" + "y".repeat(100) + "\n"));
            assertEquals("x", text(stream.readExactly(1)));      // buffers all 105 bytes in one read
            assertEquals(104, stream.buffered());
            assertEquals("ab\n", text(stream.readLineAtMost(5)));
            assertThrows(LimitExceededException.class, () -> stream.readLineAtMost(5));
            assertEquals(101, stream.buffered());
        }
    }

    /** readAll with a limit returns a stream of exactly the limit, and refuses one byte more. */
    @CurioTest
    void readAllWithLimit() throws Exception {
        try (Socket.Pair exact = Socket.pair(); Socket.Pair over = Socket.pair()) {
            exact.second().sendAll(new byte[100]);
            exact.second().close();
            assertEquals(100, exact.first().asStream().readAllAtMost(100).length);
            over.second().sendAll(new byte[1000]);
            over.second().close();
            LimitExceededException e = assertThrows(LimitExceededException.class,
                    () -> over.first().asStream().readAllAtMost(100));
            assertEquals(100, e.limit());
            assertEquals(101, over.first().asStream().buffered());
        }
    }

    /** The growth arithmetic at its limits: doubling saturates at the largest array, never overflows. */
    @Test
    void bufferGrowthSaturates() throws Exception {
        int max = ReadBuffer.MAX_CAPACITY;
        assertEquals(10, ReadBuffer.grownCapacity(0, 10));
        assertEquals(200, ReadBuffer.grownCapacity(100, 101));
        assertEquals(5000, ReadBuffer.grownCapacity(100, 5000));
        assertEquals(1 << 30, ReadBuffer.grownCapacity(1 << 29, (1 << 29) + 1));
        assertEquals(max, ReadBuffer.grownCapacity(1 << 30, (1L << 30) + 65536));   // 2 GiB would overflow
        assertEquals(max, ReadBuffer.grownCapacity(max - 5, max));
        assertEquals(max, ReadBuffer.grownCapacity(max, max));
        LimitExceededException e = assertThrows(LimitExceededException.class,
                () -> ReadBuffer.grownCapacity(max, max + 1L));
        assertTrue(e.getMessage().contains("read large data in pieces"), e.getMessage());
    }
}
