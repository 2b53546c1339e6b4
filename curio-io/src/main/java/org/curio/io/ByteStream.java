package org.curio.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.curio.io.internal.Transport;
import org.curio.traps.CancelledException;

/**
 * A buffered byte stream over a non-blocking descriptor: read, read exactly, read all, read a line,
 * iterate lines, write, write lines. The base of {@link SocketStream} and {@link FileStream}. Curio:
 * {@code StreamBase}.
 *
 * {@snippet :
 * SocketStream stream = client.asStream();
 * stream.forEachLine(line -> stream.write(line));   // echo every line until end of stream
 * }
 *
 * <p><b>Partial progress.</b> Reads never lose bytes. Whatever {@link #readAll()},
 * {@link #readExactly(int)}, {@link #readLine()} or {@link #readLines()} had taken from the
 * descriptor when it was cancelled, timed out or hit the end of the stream stays in the stream's
 * buffer: the next read returns it, and {@link #takeBuffered()} hands it over without suspending.
 * Writes report progress exactly: {@link #write(ByteBuffer)} advances the buffer's position as bytes
 * go out, and {@link #bytesWritten()} counts every byte this stream ever wrote (for
 * {@link #writeLines}).
 *
 * <p><b>Bounded memory.</b> A line read buffers at most its limit, whatever the peer sends:
 * {@link #readLine()} and {@link #forEachLine} fail with a {@link LimitExceededException} as soon as
 * {@link #lineLimit()} bytes (64 KiB unless {@link #setLineLimit set}, asyncio's default) have arrived
 * without a {@code '\n'}, and {@link #readLineAtMost(int)} takes a limit per call.
 * {@link #readAllAtMost(int)} bounds a read to the end of the stream likewise. {@link #readAll()} and
 * {@link #readLines()} keep everything until the stream ends, and {@link #readExactly(int)} as much
 * as asked: use them only with peers you trust, or with a length you have checked.
 *
 * <p><b>Cancellation.</b> Methods that may wait declare {@link CancelledException}; it is thrown only
 * while the task waits for readiness, or at the yield the cooperative budget forces before a read or
 * write of the descriptor.
 *
 * <p><b>Every task gets its turn.</b> Each read or write of the descriptor or connection (not a read
 * served from the buffer) draws on the calling task's cooperative budget, so a stream whose peer never
 * makes it wait still lets other tasks run.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a stream, and only one task should read
 * it at a time (a second reader that has to wait gets
 * {@link org.curio.traps.ReadResourceBusyException}).
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/io.py">curio/io.py</a>
 */
public abstract sealed class ByteStream implements AutoCloseable permits SocketStream, FileStream, ConnectionStream {
    /*
     * Implementation notes. The read buffer is buf[start, end). Every multi-step read (readAll,
     * readExactly, readLine, readLines) first reads from the descriptor into this buffer and only
     * takes its result out at the end, so an interruption (cancellation, timeout, end of stream,
     * failure) leaves every byte it read in the buffer: nothing is lost, with no bookkeeping in the
     * exceptions. A plain read() with an empty buffer reads straight into a new array.
     */
    /** The most a single read system call asks for. Curio: {@code MAX_READ}. */
    static final int MAX_READ = 64 * 1024;
    /** The longest line {@link #readLine()} accepts unless {@link #setLineLimit} says otherwise: 64 KiB. */
    public static final int DEFAULT_LINE_LIMIT = 64 * 1024;
    /** The largest buffer the stream grows to: the largest array the JVM reliably allocates. */
    static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;
    private static final byte[] EMPTY = new byte[0];

    /** What carries the bytes: a descriptor shared with its owner (a socket), or a connection. */
    private final Transport fd;
    private byte[] buf = EMPTY;
    private int start;                                    // first buffered byte
    private int end;                                      // one past the last buffered byte
    private int scanned;                                  // buffered bytes already searched for '\n'
    private long bytesWritten;
    private int lineLimit = DEFAULT_LINE_LIMIT;

    ByteStream(Transport fd) {
        this.fd = fd;
    }

    /**
     * {@return a buffered stream over {@code connection}} For a {@link Socket} this is its
     * {@link Socket#asStream() own stream}; for other connections a new one, which closes the
     * connection when closed. Implementations of {@link Connection#asStream()} call this once and keep
     * the result.
     *
     * @param connection the connection
     */
    public static ByteStream of(Connection connection) {
        Objects.requireNonNull(connection, "connection");
        return connection instanceof Socket socket ? socket.asStream() : new ConnectionStream(connection);
    }

    /**
     * A block of code run for each line by {@link #forEachLine}.
     *
     * @param <X> the checked exception the block may throw ({@code RuntimeException} if none)
     */
    @FunctionalInterface
    public interface LineBody<X extends Exception> {
        /**
         * Handles one line.
         *
         * @param line the line, with its {@code '\n'} (the last line of a stream may lack it)
         * @throws X                  the body's own failure
         * @throws CancelledException if the task is cancelled inside the body
         */
        void accept(byte[] line) throws X, CancelledException;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Suspends the calling task until some bytes are available and returns up to 64 KiB of them.
     *
     * @return the bytes, empty at end of stream
     * @throws IOException        if the stream is closed or the read fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public byte[] read() throws IOException, CancelledException {
        return read(MAX_READ);
    }

    /**
     * Suspends the calling task until some bytes are available and returns at most {@code maxBytes}
     * of them: buffered bytes first, without a system call. Curio: {@code read(maxbytes)}.
     *
     * @param maxBytes the most to return; not negative
     * @return the bytes, empty at end of stream
     * @throws IOException        if the stream is closed or the read fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public byte[] read(int maxBytes) throws IOException, CancelledException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        if (buffered() > 0) {
            return take(Math.min(maxBytes, buffered()));
        }
        if (maxBytes == 0) {
            fd.ensureOpen();
            return EMPTY;
        }
        return fd.readBytes(Math.min(maxBytes, MAX_READ));
    }

    /**
     * Suspends the calling task until {@code dst} is full or the stream has ended, filling it from
     * the buffer first and advancing its position; the position tells exactly how far it got, also
     * when this method is cancelled. Curio: {@code readinto()}.
     *
     * @param dst where to put the bytes
     * @return how many bytes were put into {@code dst}
     * @throws IOException        if the stream is closed or the read fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public int readInto(ByteBuffer dst) throws IOException, CancelledException {
        Objects.requireNonNull(dst, "dst");
        int before = dst.position();
        int n = Math.min(dst.remaining(), buffered());
        if (n > 0) {
            dst.put(buf, start, n);
            consume(n);
        }
        while (dst.hasRemaining()) {
            if (fd.read(dst) == Transport.EOF) {
                break;
            }
        }
        return dst.position() - before;
    }

    /**
     * Suspends the calling task until exactly {@code n} bytes have arrived, and returns them. Curio:
     * {@code read_exactly()}.
     *
     * @param n how many bytes; not negative
     * @return the bytes
     * @throws EOFException       if the stream ends first; the bytes that did arrive stay buffered
     * @throws IOException        if the stream is closed or the read fails
     * @throws CancelledException if the task is cancelled or times out while waiting; the bytes read
     *                            so far stay buffered
     */
    public byte[] readExactly(int n) throws IOException, CancelledException {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        while (buffered() < n) {
            if (!fill(Math.max(n - buffered(), 8192))) {
                throw new EOFException("unexpected end of stream: " + buffered() + " of " + n + " bytes arrived");
            }
        }
        return take(n);
    }

    /**
     * Suspends the calling task until the stream has ended, and returns everything read. Curio:
     * {@code readall()}.
     *
     * @return the bytes
     * @throws IOException        if the stream is closed or the read fails
     * @throws CancelledException if the task is cancelled or times out while waiting; the bytes read
     *                            so far stay buffered
     */
    public byte[] readAll() throws IOException, CancelledException {
        return readAllAtMost(MAX_CAPACITY);
    }

    /**
     * Suspends the calling task until the stream has ended, and returns everything read, unless more
     * than {@code maxBytes} arrive first. Reads no further once byte {@code maxBytes + 1} has arrived.
     *
     * @param maxBytes the most to accept; positive
     * @return the bytes
     * @throws LimitExceededException if byte {@code maxBytes + 1} arrives before the end of the
     *                                stream; the {@code maxBytes + 1} bytes read stay buffered (see
     *                                {@link #takeBuffered()}), the rest of the stream unread
     * @throws IOException            if the stream is closed or the read fails
     * @throws CancelledException     if the task is cancelled or times out while waiting; the bytes
     *                                read so far stay buffered
     */
    public byte[] readAllAtMost(int maxBytes) throws IOException, CancelledException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        int chunk = MAX_READ;
        while (true) {
            if (buffered() >= maxBytes) {
                if (!fill(1)) {                                  // exactly maxBytes, then the end
                    return take(buffered());
                }
                throw new LimitExceededException("more than " + maxBytes + " bytes arrived before the end of "
                        + "the stream; call readAllAtMost with a larger maxBytes to accept more", maxBytes);
            }
            if (!fill(Math.min(chunk, maxBytes - buffered()))) {
                return take(buffered());
            }
            if (buffered() >= chunk && chunk < (1 << 24)) {
                chunk *= 2;
            }
        }
    }

    /**
     * Suspends the calling task until a whole line (ending in {@code '\n'}) or the end of the stream
     * has arrived, and returns it. Curio: {@code readline()}.
     *
     * @return the line with its {@code '\n'}; at end of stream the rest without one, or empty
     * @throws IOException        if the stream is closed or the read fails
     * @throws CancelledException if the task is cancelled or times out while waiting; the partial line
     *                            stays buffered
     */
    public byte[] readLine() throws IOException, CancelledException {
        return readLineAtMost(lineLimit);
    }

    /**
     * Suspends the calling task until a whole line of at most {@code maxBytes} bytes (its
     * {@code '\n'} included) or the end of the stream has arrived, and returns it. Never buffers more
     * of a line than {@code maxBytes}: once {@code maxBytes} bytes have arrived without a
     * {@code '\n'}, it fails at once, without reading further.
     *
     * <p><b>After a {@link LimitExceededException}</b> the stream holds the first {@code maxBytes}
     * bytes of the line in its buffer, and the rest of the line is still unread; another
     * {@code readLine} with the same limit fails the same way. To go on, take the buffered part with
     * {@link #takeBuffered()} and decide what to do with the rest (most servers close the connection),
     * or read the line with a larger limit.
     *
     * @param maxBytes the longest line accepted, newline included; positive
     * @return the line with its {@code '\n'}; at end of stream the rest without one, or empty
     * @throws LimitExceededException if {@code maxBytes} bytes arrive without a {@code '\n'}
     * @throws IOException            if the stream is closed or the read fails
     * @throws CancelledException     if the task is cancelled or times out while waiting; the partial
     *                                line stays buffered
     */
    public byte[] readLineAtMost(int maxBytes) throws IOException, CancelledException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        while (true) {
            int limitEnd = start + Math.min(buffered(), maxBytes);
            for (int i = start + scanned; i < limitEnd; i++) {
                if (buf[i] == '\n') {
                    return take(i + 1 - start);
                }
            }
            scanned = limitEnd - start;
            if (scanned >= maxBytes) {
                throw new LimitExceededException("line longer than " + maxBytes + " bytes: no '\\n' in the first "
                        + maxBytes + " bytes; raise the limit with setLineLimit or readLineAtMost", maxBytes);
            }
            if (!fill(Math.min(MAX_READ, maxBytes - buffered()))) {
                return take(buffered());
            }
        }
    }

    /** {@return the longest line {@link #readLine()} and {@link #forEachLine} accept, newline included} */
    public int lineLimit() {
        return lineLimit;
    }

    /**
     * Sets the longest line {@link #readLine()} and {@link #forEachLine} accept from now on, newline
     * included. Never suspends.
     *
     * @param maxBytes the limit; positive
     * @return this stream
     */
    public ByteStream setLineLimit(int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("line limit must be positive: " + maxBytes);
        }
        lineLimit = maxBytes;
        return this;
    }

    /**
     * Suspends the calling task until the stream has ended, and returns all its lines. Curio:
     * {@code readlines()}. Like {@link #readAll()}, it keeps the whole stream in memory, and no line
     * limit applies: with an untrusted peer, use {@link #forEachLine} instead.
     *
     * @return the lines, each with its {@code '\n'} (the last may lack it)
     * @throws IOException        if the stream is closed or the read fails
     * @throws CancelledException if the task is cancelled or times out while waiting; every line read
     *                            so far stays buffered
     */
    public List<byte[]> readLines() throws IOException, CancelledException {
        readUntilEnd();
        List<byte[]> lines = new ArrayList<>();
        while (buffered() > 0) {
            lines.add(readLineAtMost(MAX_CAPACITY));
        }
        return lines;
    }

    private void readUntilEnd() throws IOException, CancelledException {
        while (fill(MAX_READ)) {
            // keep reading
        }
    }

    /**
     * Runs {@code body} for each line until the stream ends: curio's {@code async for line in
     * stream}. Suspends the calling task while it waits for lines.
     *
     * @param body what to do with each line
     * @param <X>  the body's checked exception
     * @throws X                  the body's own failure
     * @throws IOException        if the stream is closed or the read fails
     * @throws CancelledException if the task is cancelled or times out
     */
    public <X extends Exception> void forEachLine(LineBody<X> body) throws X, IOException, CancelledException {
        Objects.requireNonNull(body, "body");
        while (true) {
            byte[] line = readLine();
            if (line.length == 0) {
                return;
            }
            body.accept(line);
        }
    }

    /** {@return how many bytes have been read from the descriptor but not yet returned} Never suspends. */
    public int buffered() {
        return end - start;
    }

    /**
     * Returns and removes the buffered bytes, for example those a cancelled {@link #readAll()} had
     * read. Never suspends.
     *
     * @return the bytes (empty if none)
     */
    public byte[] takeBuffered() {
        return take(buffered());
    }

    // ------------------------------------------------------------------ writing

    /**
     * Suspends the calling task until all of {@code data} has been written. Curio: {@code write()}.
     *
     * @param data the bytes
     * @throws IOException        if the stream is closed or the write fails
     * @throws CancelledException if the task is cancelled or times out while waiting; see
     *                            {@link #bytesWritten()} for the progress
     */
    public void write(byte[] data) throws IOException, CancelledException {
        write(ByteBuffer.wrap(Objects.requireNonNull(data, "data")));
    }

    /**
     * Suspends the calling task until every remaining byte of {@code src} has been written. Its
     * position advances as bytes go out, and tells exactly how far it got when this method returns,
     * fails or is cancelled.
     *
     * @param src the bytes
     * @throws IOException        if the stream is closed or the write fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void write(ByteBuffer src) throws IOException, CancelledException {
        Objects.requireNonNull(src, "src");
        int before = src.position();
        try {
            fd.writeAll(src);
        } finally {
            bytesWritten += src.position() - before;
        }
    }

    /**
     * Suspends the calling task until every line has been written, one after another. Curio:
     * {@code writelines()}.
     *
     * @param lines the lines (written as given; add {@code '\n'} yourself)
     * @throws IOException        if the stream is closed or the write fails
     * @throws CancelledException if the task is cancelled or times out while waiting; compare
     *                            {@link #bytesWritten()} before and after for the exact progress
     */
    public void writeLines(Iterable<byte[]> lines) throws IOException, CancelledException {
        Objects.requireNonNull(lines, "lines");
        for (byte[] line : lines) {
            write(line);
        }
    }

    /** {@return how many bytes this stream has written in all, counting partial writes exactly} */
    public long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Does nothing: writes are not buffered, so every write has reached the descriptor when it
     * returns. Never suspends. Curio: {@code flush()}.
     *
     * @throws IOException if the stream is closed
     */
    public void flush() throws IOException {
        fd.ensureOpen();
    }

    /**
     * Closes the stream and its descriptor (for a {@link SocketStream}, the socket). A task of this
     * kernel waiting on it wakes and fails. Buffered bytes are dropped. Never suspends.
     */
    @Override
    public void close() {
        fd.close();
        buf = EMPTY;
        start = end = scanned = 0;
    }

    /** {@return whether the stream is open} */
    public boolean isOpen() {
        return fd.isOpen();
    }

    // ------------------------------------------------------------------ the buffer

    /** Reads at least one byte (up to {@code max}) into the buffer; false at end of stream. */
    private boolean fill(int max) throws IOException, CancelledException {
        reserve(max);
        ByteBuffer dst = ByteBuffer.wrap(buf, end, max);
        int n = fd.read(dst);
        if (n == Transport.EOF) {
            return false;
        }
        end += n;
        return true;
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

    /**
     * {@return the size to grow a buffer of {@code length} bytes to, so that it holds {@code needed}
     * bytes: twice the length, or what is needed if more, never past {@link #MAX_CAPACITY}}
     *
     * @param length the buffer's length now
     * @param needed how many bytes it must hold
     * @throws LimitExceededException if {@code needed} is past {@link #MAX_CAPACITY}
     */
    static int grownCapacity(int length, long needed) throws LimitExceededException {
        if (needed > MAX_CAPACITY) {
            throw new LimitExceededException("a stream buffers at most " + MAX_CAPACITY + " bytes, and " + needed
                    + " were needed; read large data in pieces with read() or readInto()", MAX_CAPACITY);
        }
        return (int) Math.min(MAX_CAPACITY, Math.max(2L * length, needed));
    }

    private byte[] take(int n) {
        if (n == 0) {
            return EMPTY;
        }
        byte[] out = Arrays.copyOfRange(buf, start, start + n);
        consume(n);
        return out;
    }

    private void consume(int n) {
        start += n;
        scanned = Math.max(0, scanned - n);
        if (start == end) {
            start = end = scanned = 0;
            if (buf.length > 4 * MAX_READ) {
                buf = EMPTY;                              // do not keep a large buffer after a big read
            }
        }
    }
}
