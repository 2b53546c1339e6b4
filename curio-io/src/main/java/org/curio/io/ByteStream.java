package org.curio.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

import org.curio.io.internal.ReadBuffer;
import org.curio.traps.CancelledException;

/**
 * A buffered byte stream over any {@link Connection}: read, read exactly, read all, read a line,
 * iterate lines, write, write lines. Sockets, pipes, in-memory connections and connections layered
 * over others all get the same one, from {@link ByteStream#of(Connection)} or the connection's
 * {@link Connection#asStream()}; {@link SocketStream} and {@link FileStream} are its names for
 * sockets and for pipes, adding only accessors. Curio: {@code StreamBase}.
 *
 * {@snippet :
 * ByteStream stream = client.asStream();
 * stream.forEachLine(line -> stream.write(line));   // echo every line until end of stream
 * }
 *
 * <p><b>Partial progress.</b> Reads never lose bytes. Whatever {@link #readAll()},
 * {@link #readExactly(int)}, {@link #readLine()} or {@link #readLines()} had taken from the
 * connection when it was cancelled, timed out or hit the end of the stream stays in the stream's
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
 * while the task waits for the connection, or at the yield the cooperative budget forces before a
 * receive or send.
 *
 * <p><b>Every task gets its turn.</b> Each receive or send on the connection (not a read served from
 * the buffer) draws on the calling task's cooperative budget, as the connection's own calls do, so a
 * stream whose peer never makes it wait still lets other tasks run.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a stream, and only one task should read
 * it at a time (a second reader that has to wait gets
 * {@link org.curio.traps.ReadResourceBusyException}).
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/io.py">curio/io.py</a>
 */
public sealed class ByteStream implements AutoCloseable permits SocketStream, FileStream {
    /*
     * Implementation notes. The stream adds only the read buffer (internal.ReadBuffer, shared with
     * AsyncFile) to the connection's receive and send calls; every accumulating read (readAll,
     * readExactly, readLine, readLines) fills the buffer and takes its result out at the end, so an
     * interruption leaves every byte it read in the buffer. A plain read() with an empty buffer asks
     * the connection for a new array (a socket makes it straight from its scratch buffer), and writes
     * are not buffered.
     */
    /** The most a single receive asks for. Curio: {@code MAX_READ}. */
    static final int MAX_READ = ReadBuffer.MAX_READ;
    /** The longest line {@link #readLine()} accepts unless {@link #setLineLimit} says otherwise: 64 KiB. */
    public static final int DEFAULT_LINE_LIMIT = ReadBuffer.DEFAULT_LINE_LIMIT;
    private static final byte[] EMPTY = new byte[0];

    private final Connection connection;
    private final ReadBuffer buffer = new ReadBuffer(ReadBuffer.STREAM_FIRST_LINE_READ);   // small while idle
    private final ReadBuffer.Source<CancelledException> source;
    private long bytesWritten;

    ByteStream(Connection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.source = connection::recvInto;
    }

    /**
     * {@return a new buffered stream over {@code connection}} Closing the stream closes the
     * connection. It works the same over every kind of connection, reading and writing only through
     * the connection's methods. Each call makes a new stream with a buffer of its own, so a
     * connection's own {@link Connection#asStream()} is the one to share; implementations of it call
     * this method once and keep the result.
     *
     * @param connection the connection
     */
    public static ByteStream of(Connection connection) {
        return new ByteStream(connection);
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
            return buffer.take(Math.min(maxBytes, buffered()));
        }
        if (maxBytes == 0) {
            connection.checkOpen();
            return EMPTY;
        }
        return connection.recv(Math.min(maxBytes, MAX_READ));
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
        buffer.takeInto(dst);
        while (dst.hasRemaining()) {
            if (connection.recvInto(dst) < 0) {
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
        if (!buffer.fillTo(source, n)) {
            throw new EOFException("unexpected end of stream: " + buffered() + " of " + n + " bytes arrived");
        }
        return buffer.take(n);
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
        return readAllAtMost(ReadBuffer.MAX_CAPACITY);
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
        buffer.fillToEnd(source, ReadBuffer.checkLimit(maxBytes));
        return takeBuffered();
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
        return readLineAtMost(buffer.lineLimit());
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
        return buffer.take(buffer.lineLength(source, ReadBuffer.checkLimit(maxBytes)));
    }

    /** {@return the longest line {@link #readLine()} and {@link #forEachLine} accept, newline included} */
    public int lineLimit() {
        return buffer.lineLimit();
    }

    /**
     * Sets the longest line {@link #readLine()} and {@link #forEachLine} accept from now on, newline
     * included. Never suspends.
     *
     * @param maxBytes the limit; positive
     * @return this stream
     */
    public ByteStream setLineLimit(int maxBytes) {
        buffer.setLineLimit(maxBytes);
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
        buffer.fillToEnd(source, ReadBuffer.MAX_CAPACITY);
        return buffer.takeLines();
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
        return buffer.buffered();
    }

    /**
     * Returns and removes the buffered bytes, for example those a cancelled {@link #readAll()} had
     * read. Never suspends.
     *
     * @return the bytes (empty if none)
     */
    public byte[] takeBuffered() {
        return buffer.take(buffered());
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
            connection.sendAll(src);
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
     * Does nothing: writes are not buffered, so every write has reached the connection when it
     * returns. Never suspends. Curio: {@code flush()}.
     *
     * @throws IOException if the stream is closed
     */
    public void flush() throws IOException {
        connection.checkOpen();
    }

    /**
     * Closes the stream and its connection (for a {@link SocketStream}, the socket). A task of this
     * kernel waiting on it wakes and fails. Buffered bytes are dropped. Never suspends.
     */
    @Override
    public void close() {
        connection.close();
        buffer.clear();
    }

    /** {@return whether the stream is open} */
    public boolean isOpen() {
        return connection.isOpen();
    }

    /** {@return the stream's kind, its connection and how much is buffered} */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + connection + ", buffered=" + buffered() + "]";
    }
}
