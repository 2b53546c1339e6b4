package org.curio.io.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.curio.io.LimitExceededException;
import org.junit.jupiter.api.Test;

/**
 * The read buffer that streams and files share, over a scripted source: line reads across reads,
 * limits that leave the bytes buffered, exact and bounded reads, and the shrink rule.
 */
class ReadBufferTest {
    /** A source that answers each read with the next scripted piece (cut to the room), then the end. */
    private static final class Script implements ReadBuffer.Source<RuntimeException> {
        private final Deque<byte[]> pieces = new ArrayDeque<>();
        private final List<Integer> asked = new ArrayList<>();

        Script(String... parts) {
            for (String p : parts) {
                pieces.add(p.getBytes(StandardCharsets.US_ASCII));
            }
        }

        Script(byte[] whole) {
            pieces.add(whole);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            asked.add(dst.remaining());
            byte[] piece = pieces.poll();
            if (piece == null) {
                return -1;
            }
            int n = Math.min(piece.length, dst.remaining());
            dst.put(piece, 0, n);
            if (n < piece.length) {
                pieces.addFirst(java.util.Arrays.copyOfRange(piece, n, piece.length));
            }
            return n;
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** A line that arrives in pieces is found once whole; the rest stays buffered; the end gives the tail. */
    @Test
    void linesAcrossReads() throws Exception {
        ReadBuffer buffer = new ReadBuffer();
        Script source = new Script("he", "llo\nwor", "ld\nta", "il");
        List<String> lines = new ArrayList<>();
        for (int n = buffer.lineLength(source, 100); n > 0; n = buffer.lineLength(source, 100)) {
            lines.add(text(buffer.take(n)));
        }
        assertEquals(List.of("hello\n", "world\n", "tail"), lines);
        assertEquals(0, buffer.buffered());
    }

    /** A line past its limit fails with exactly the limit buffered, asking the source for no more than that. */
    @Test
    void lineLimitLeavesTheLimitBuffered() throws Exception {
        ReadBuffer buffer = new ReadBuffer();
        Script source = new Script("x".repeat(1000) + "\n");
        LimitExceededException e = assertThrows(LimitExceededException.class, () -> buffer.lineLength(source, 10));
        assertEquals(10, e.limit());
        assertEquals(10, buffer.buffered());
        assertEquals(List.of(10), source.asked);
        assertEquals(1001, buffer.lineLength(source, 2000));
    }

    /** fillTo stops once enough is buffered, or reports the end with what arrived still buffered. */
    @Test
    void fillToAndTheEnd() throws Exception {
        ReadBuffer buffer = new ReadBuffer();
        Script source = new Script("abc", "def");
        assertTrue(buffer.fillTo(source, 4));
        assertEquals("abcd", text(buffer.take(4)));
        assertFalse(buffer.fillTo(source, 5));
        assertEquals(2, buffer.buffered());
        ByteBuffer dst = ByteBuffer.allocate(1);
        assertEquals(1, buffer.takeInto(dst));
        assertEquals("f", text(buffer.take(1)));
    }

    /** fillToEnd accepts exactly the bound, refuses one byte more, and keeps what it read. */
    @Test
    void fillToEndBound() throws Exception {
        ReadBuffer exact = new ReadBuffer();
        exact.fillToEnd(new Script("12345"), 5);
        assertEquals("12345", text(exact.take(exact.buffered())));
        ReadBuffer over = new ReadBuffer();
        LimitExceededException e = assertThrows(LimitExceededException.class,
                () -> over.fillToEnd(new Script("123456"), 5));
        assertEquals(5, e.limit());
        assertEquals(6, over.buffered());
    }

    /** takeLines splits everything buffered, the last line without its newline. */
    @Test
    void takeLines() throws Exception {
        ReadBuffer buffer = new ReadBuffer();
        buffer.fillToEnd(new Script("a\n", "\nb\nc"), ReadBuffer.MAX_CAPACITY);
        assertEquals(List.of("a\n", "\n", "b\n", "c"), buffer.takeLines().stream().map(ReadBufferTest::text).toList());
        assertEquals(0, buffer.buffered());
    }

    /** After a read larger than four receives is taken, the buffer gives its array back; a small one keeps it. */
    @Test
    void shrinksAfterALargeRead() throws Exception {
        ReadBuffer buffer = new ReadBuffer();
        buffer.fillToEnd(new Script(new byte[1 << 20]), ReadBuffer.MAX_CAPACITY);
        assertTrue(buffer.capacity() >= 1 << 20);
        buffer.take(buffer.buffered() - 1);
        assertTrue(buffer.capacity() >= 1 << 20, "not empty yet, so kept");
        buffer.take(1);
        assertEquals(0, buffer.capacity());
        buffer.fill(new Script("small"), 100);
        buffer.take(5);
        assertEquals(100, buffer.capacity());
    }

    /**
     * A stream's short line read on an empty buffer asks for STREAM_FIRST_LINE_READ and keeps an array of
     * that size (all an idle line-reading connection holds); a long line doubles the array as it
     * arrives, in few reads.
     */
    @Test
    void streamLineReadsStartSmallAndDouble() throws Exception {
        ReadBuffer buffer = new ReadBuffer(ReadBuffer.STREAM_FIRST_LINE_READ);
        Script shortLine = new Script("hello\n");
        assertEquals(6, buffer.lineLength(shortLine, ReadBuffer.DEFAULT_LINE_LIMIT));
        assertEquals("hello\n", text(buffer.take(6)));
        assertEquals(List.of(4096), shortLine.asked);
        assertEquals(4096, buffer.capacity());

        Script longLine = new Script("y".repeat(19_999) + "\n");
        assertEquals(20_000, buffer.lineLength(longLine, ReadBuffer.DEFAULT_LINE_LIMIT));
        assertEquals(List.of(4096, 4096, 8192, 16384), longLine.asked);
        assertEquals(32768, buffer.capacity());
        assertEquals(20_000, buffer.take(20_000).length);
        assertEquals(32768, buffer.capacity(), "kept: below the shrink threshold");
    }

    /** A file's buffer (the default) asks every line read for MAX_READ: each read is a worker round trip. */
    @Test
    void defaultLineReadsAskForMaxRead() throws Exception {
        ReadBuffer buffer = new ReadBuffer();
        Script lines = new Script("a\nb\n", "c\n");
        assertEquals(2, buffer.lineLength(lines, ReadBuffer.DEFAULT_LINE_LIMIT));
        buffer.take(2);
        assertEquals(2, buffer.lineLength(lines, ReadBuffer.DEFAULT_LINE_LIMIT));
        buffer.take(2);
        assertEquals(2, buffer.lineLength(lines, ReadBuffer.DEFAULT_LINE_LIMIT));
        assertEquals(List.of(ReadBuffer.MAX_READ, ReadBuffer.MAX_READ), lines.asked);
        assertThrows(IllegalArgumentException.class, () -> new ReadBuffer(0));
        assertThrows(IllegalArgumentException.class, () -> new ReadBuffer(ReadBuffer.MAX_READ + 1));
    }
}
