package org.curio.io.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.curio.io.LimitExceededException;

/**
 * The read buffer of every buffered reader in this module (streams over connections, files on disk):
 * bytes read ahead of the caller, the reads that accumulate (a line, an exact count, everything to the
 * end) with their limits, and the rule that gives a large buffer back once it is empty.
 *
 * <p>Every accumulating read fills the buffer from a {@link Source} and leaves its result in the
 * buffer; the caller then {@link #take takes} it. An interruption in between (a cancellation, a timeout,
 * the end of the stream, a failure, a limit) therefore loses nothing: the bytes stay buffered for the
 * next read, with no bookkeeping in the exceptions.
 *
 * <p>Not thread-safe: a stream uses it from its kernel's thread only; a file, which fills it on a worker
 * thread and takes from it on the task's, guards it with a lock of its own.
 */
public final class ReadBuffer {
    /*
     * Implementation notes. The buffered bytes are buf[start, end); `scanned` counts those already
     * searched for '\n', so a line read that waits for more bytes never searches a byte twice. Room is
     * made by moving the bytes to the front when that is enough, else by doubling (capped at
     * MAX_CAPACITY). When the last byte is taken, an array larger than SHRINK_ABOVE is dropped: one big
     * read must not pin its memory for the rest of a long-lived connection.
     */
    /** The most a single read asks its source for. Curio: {@code MAX_READ}. */
    public static final int MAX_READ = 64 * 1024;
    /** The largest buffer there can be: the largest array the JVM reliably allocates. */
    public static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;
    /** The smallest read an exact or a bounded read asks for, so that short reads stay few. */
    public static final int MIN_FILL = 8192;
    /**
     * What a stream's line read asks for first on an empty buffer, and so the array an idle connection
     * that reads lines keeps: 4 KiB (with {@link #MAX_READ}, 64 KiB, every such connection held that
     * much). A file keeps {@code MAX_READ}: each of its reads is a round trip to a worker thread.
     */
    public static final int STREAM_FIRST_LINE_READ = 4096;
    /** The longest line a reader accepts unless told otherwise: 64 KiB, asyncio's default. */
    public static final int DEFAULT_LINE_LIMIT = 64 * 1024;
    private static final int SHRINK_ABOVE = 4 * MAX_READ;
    private static final int MAX_CHUNK = 1 << 24;
    private static final byte[] EMPTY = new byte[0];

    private byte[] buf = EMPTY;
    private int start;                                    // first buffered byte
    private int end;                                      // one past the last buffered byte
    private int scanned;                                  // buffered bytes already searched for '\n'
    private int lineLimit = DEFAULT_LINE_LIMIT;           // the owner's setting; read on the task side only
    private final int firstLineRead;

    /** Creates an empty buffer whose line reads ask for {@link #MAX_READ}; it allocates on the first read. */
    public ReadBuffer() {
        this(MAX_READ);
    }

    /**
     * Creates an empty buffer; it allocates on the first read.
     *
     * @param firstLineRead what a line read on an empty buffer asks for (the array it makes, which a
     *                      buffer emptied of short lines keeps), between 1 and {@link #MAX_READ}; a
     *                      longer line doubles the array as it arrives
     */
    public ReadBuffer(int firstLineRead) {
        if (firstLineRead < 1 || firstLineRead > MAX_READ) {
            throw new IllegalArgumentException("firstLineRead must be between 1 and " + MAX_READ + ": " + firstLineRead);
        }
        this.firstLineRead = firstLineRead;
    }

    /**
     * Where a buffer's bytes come from: a connection, or a file channel.
     *
     * @param <X> the checked exception a read may throw besides {@link IOException} (for a connection,
     *            {@link org.curio.traps.CancelledException}; {@code RuntimeException} if none)
     */
    @FunctionalInterface
    public interface Source<X extends Exception> {
        /**
         * Reads some bytes into {@code dst}, which has room, advancing its position; may wait.
         *
         * @param dst where to put them
         * @return how many, or -1 at the end of the stream
         * @throws IOException if the read fails
         * @throws X           what else the source may throw
         */
        int read(ByteBuffer dst) throws IOException, X;
    }

    /** {@return the longest line the owner's {@code readLine} accepts, newline included} */
    public int lineLimit() {
        return lineLimit;
    }

    /**
     * Sets the longest line the owner's {@code readLine} accepts, newline included.
     *
     * @param maxBytes the limit; positive
     */
    public void setLineLimit(int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("line limit must be positive: " + maxBytes);
        }
        lineLimit = maxBytes;
    }

    /**
     * Checks a limit given to a single read.
     *
     * @param maxBytes the limit
     * @return it, if positive
     * @throws IllegalArgumentException if it is not
     */
    public static int checkLimit(int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        return maxBytes;
    }

    /** {@return how many bytes are buffered} */
    public int buffered() {
        return end - start;
    }

    /**
     * Reads once from {@code source}, at most {@code max} bytes, into the buffer.
     *
     * @param source where from
     * @param max    the most to read; positive
     * @param <X>    the source's other exception
     * @return false at the end of the stream
     * @throws LimitExceededException if the buffer would grow past {@link #MAX_CAPACITY}
     * @throws IOException            if the read fails
     * @throws X                      what else the source throws
     */
    public <X extends Exception> boolean fill(Source<X> source, int max) throws IOException, X {
        reserve(max);
        int n = source.read(ByteBuffer.wrap(buf, end, max));
        if (n < 0) {
            return false;
        }
        end += n;
        return true;
    }

    /**
     * Reads from {@code source} until at least {@code n} bytes are buffered.
     *
     * @param source where from
     * @param n      how many bytes the caller needs
     * @param <X>    the source's other exception
     * @return false if the stream ended first (what arrived stays buffered)
     * @throws IOException if a read fails
     * @throws X           what else the source throws
     */
    public <X extends Exception> boolean fillTo(Source<X> source, int n) throws IOException, X {
        while (buffered() < n) {
            if (!fill(source, Math.max(n - buffered(), MIN_FILL))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads from {@code source} until the end of the stream, unless more than {@code maxBytes} arrive
     * first; reads no further once byte {@code maxBytes + 1} is buffered. Each read asks for twice as
     * much as the one before, up to 16 MiB, so a large stream takes few reads.
     *
     * @param source   where from
     * @param maxBytes the most to accept; positive
     * @param <X>      the source's other exception
     * @throws LimitExceededException if byte {@code maxBytes + 1} arrives; the bytes read stay buffered
     * @throws IOException            if a read fails
     * @throws X                      what else the source throws
     */
    public <X extends Exception> void fillToEnd(Source<X> source, int maxBytes) throws IOException, X {
        int chunk = MAX_READ;
        while (true) {
            if (buffered() >= maxBytes) {
                if (!fill(source, 1)) {                           // exactly maxBytes, then the end
                    return;
                }
                throw new LimitExceededException("more than " + maxBytes + " bytes arrived before the end of "
                        + "the stream; call readAllAtMost with a larger maxBytes to accept more", maxBytes);
            }
            if (!fill(source, Math.min(chunk, maxBytes - buffered()))) {
                return;
            }
            if (buffered() >= chunk && chunk < MAX_CHUNK) {
                chunk *= 2;
            }
        }
    }

    /**
     * Reads from {@code source} until a line ending in {@code '\n'} of at most {@code maxBytes} bytes
     * is buffered, or the stream ends, and returns its length; takes nothing. Never buffers more of a
     * line than {@code maxBytes}.
     *
     * @param source   where from
     * @param maxBytes the longest line accepted, newline included; positive
     * @param <X>      the source's other exception
     * @return the length of the first line, newline included; at the end of the stream, everything
     *         buffered (0 if nothing is)
     * @throws LimitExceededException if {@code maxBytes} bytes are buffered without a {@code '\n'}; they
     *                                stay buffered
     * @throws IOException            if a read fails
     * @throws X                      what else the source throws
     */
    public <X extends Exception> int lineLength(Source<X> source, int maxBytes) throws IOException, X {
        while (true) {
            int limitEnd = start + Math.min(buffered(), maxBytes);
            for (int i = start + scanned; i < limitEnd; i++) {
                if (buf[i] == '\n') {
                    return i + 1 - start;
                }
            }
            scanned = limitEnd - start;
            if (scanned >= maxBytes) {
                throw new LimitExceededException("line longer than " + maxBytes + " bytes: no '\\n' in the first "
                        + maxBytes + " bytes; raise the limit with setLineLimit or readLineAtMost", maxBytes);
            }
            if (!fill(source, lineReadSize(maxBytes))) {
                return buffered();
            }
        }
    }

    /**
     * {@return how much a line read asks its source for} The room the array already has, if that is
     * at least the first line read; else enough to double the array (or to make the first one, of
     * the first line read's size); never more than {@link #MAX_READ} or than the limit leaves. So a
     * connection that reads short lines holds a small array between them, and a long line still takes
     * few reads. With a first line read of {@code MAX_READ} every read asks for {@code MAX_READ}.
     */
    private int lineReadSize(int maxBytes) {
        int room = buf.length - buffered();
        int ask = room >= firstLineRead ? room : Math.max(firstLineRead, buf.length);
        return Math.min(ask, Math.min(MAX_READ, maxBytes - buffered()));
    }

    /**
     * Takes the first {@code n} buffered bytes.
     *
     * @param n how many; at most {@link #buffered()}
     * @return them
     */
    public byte[] take(int n) {
        if (n == 0) {
            return EMPTY;
        }
        byte[] out = Arrays.copyOfRange(buf, start, start + n);
        consume(n);
        return out;
    }

    /**
     * Moves as many buffered bytes as fit into {@code dst}, advancing its position.
     *
     * @param dst where to put them
     * @return how many moved
     */
    public int takeInto(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), buffered());
        if (n > 0) {
            dst.put(buf, start, n);
            consume(n);
        }
        return n;
    }

    /** {@return every buffered byte as lines, each with its {@code '\n'} (the last may lack it)} */
    public List<byte[]> takeLines() {
        List<byte[]> lines = new ArrayList<>();
        int from = start;
        for (int i = start; i < end; i++) {
            if (buf[i] == '\n') {
                lines.add(Arrays.copyOfRange(buf, from, i + 1));
                from = i + 1;
            }
        }
        if (from < end) {
            lines.add(Arrays.copyOfRange(buf, from, end));
        }
        consume(buffered());
        return lines;
    }

    /** Drops every buffered byte and the array that held them. */
    public void clear() {
        buf = EMPTY;
        start = end = scanned = 0;
    }

    /**
     * {@return the size to grow a buffer of {@code length} bytes to, so that it holds {@code needed}
     * bytes: twice the length, or what is needed if more, never past {@link #MAX_CAPACITY}}
     *
     * @param length the buffer's length now
     * @param needed how many bytes it must hold
     * @throws LimitExceededException if {@code needed} is past {@link #MAX_CAPACITY}
     */
    public static int grownCapacity(int length, long needed) throws LimitExceededException {
        if (needed > MAX_CAPACITY) {
            throw new LimitExceededException("a stream buffers at most " + MAX_CAPACITY + " bytes, and " + needed
                    + " were needed; read large data in pieces with read() or readInto()", MAX_CAPACITY);
        }
        return (int) Math.min(MAX_CAPACITY, Math.max(2L * length, needed));
    }

    private void reserve(int room) throws LimitExceededException {
        if (buf.length - end >= room) {
            return;
        }
        int n = buffered();
        if (buf.length - n >= room && start > 0) {
            System.arraycopy(buf, start, buf, 0, n);
        } else {
            byte[] bigger = new byte[grownCapacity(buf.length, (long) n + room)];
            System.arraycopy(buf, start, bigger, 0, n);
            buf = bigger;
        }
        start = 0;
        end = n;
    }

    private void consume(int n) {
        start += n;
        scanned = Math.max(0, scanned - n);
        if (start == end) {
            start = end = scanned = 0;
            if (buf.length > SHRINK_ABOVE) {
                buf = EMPTY;
            }
        }
    }

    /** {@return the length of the array that holds the bytes} For tests of the shrink rule. */
    int capacity() {
        return buf.length;
    }

    @Override
    public String toString() {
        return "ReadBuffer[buffered=" + buffered() + ", capacity=" + buf.length + "]";
    }
}
