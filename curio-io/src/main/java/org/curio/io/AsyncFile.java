package org.curio.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import org.curio.io.internal.Offload;
import org.curio.io.internal.ReadBuffer;
import org.curio.traps.CancelledException;
import org.curio.traps.Traps;

/**
 * A file on disk whose blocking operations run on a virtual thread while the calling task waits, so
 * the kernel never blocks: read, read all, read a line, iterate lines, write, seek, tell, truncate.
 * Curio: {@code aopen} and {@code AsyncFile}.
 *
 * {@snippet :
 * try (AsyncFile f = AsyncFile.open(Path.of("data.txt"))) {
 *     f.forEachLine(line -> handle(line));
 * }
 * }
 *
 * <p><b>Bounded memory.</b> Reads share {@link ByteStream}'s read buffer and its limits: {@link #readLine()}
 * and {@link #forEachLine} fail with a {@link LimitExceededException} once {@link #lineLimit()} bytes
 * (64 KiB unless {@link #setLineLimit set}) have been read without a {@code '\n'}, leaving them
 * buffered; {@link #readLineAtMost(int)} takes a limit per call. {@link #readAll()} and
 * {@link #readLines()} keep the rest of the file in memory.
 *
 * <p><b>Order.</b> Operations run one after another in the order they were issued, each on a virtual
 * thread: an operation abandoned by a cancelled task still finishes before the next one starts.
 *
 * <p><b>Cancellation.</b> Every operation that touches the file suspends the task and is a
 * cancellation point. A cancelled read loses nothing: the bytes it read stay in the file's read buffer
 * and the next read returns them, as if the cancelled read had never happened. A cancelled write,
 * truncate or seek still completes, in the background, before any later operation. Each operation
 * first draws on the calling task's cooperative budget, before it is queued.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a file, one task at a time.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/file.py">curio/file.py</a>
 */
public final class AsyncFile implements AutoCloseable {
    /*
     * Implementation notes. Operations are chained on `tail`, so they run in issue order on fresh
     * virtual threads. Reads first make the read buffer (internal.ReadBuffer, the one streams use)
     * hold what they need, on the worker, then take it out on the task's side after the wait: a
     * cancellation in between leaves the bytes buffered. The channel's position is therefore ahead of
     * the logical position by the buffered count; writes, seeks and truncation first "unread" the
     * buffer. The buffer is guarded by `lock` because the worker fills it and the task takes from it.
     */
    private final FileChannel channel;
    private final Path path;
    private final Object lock = new Object();
    private final ReadBuffer buffer = new ReadBuffer();            // guarded by lock, but its line limit task side only
    private final ReadBuffer.Source<RuntimeException> source;     // the channel; worker side, lock held
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);   // task side only

    private AsyncFile(FileChannel channel, Path path) {
        this.channel = channel;
        this.path = path;
        this.source = channel::read;
    }

    /**
     * Suspends the calling task until {@code path} is open, for reading if no option is given.
     * Curio: {@code aopen(path, mode)}.
     *
     * @param path    the file
     * @param options how to open it, as for {@link FileChannel#open(Path, OpenOption...)}
     * @return the open file
     * @throws IOException        if it cannot be opened
     * @throws CancelledException if the task is cancelled or times out while waiting; a file opened
     *                            meanwhile is closed
     */
    public static AsyncFile open(Path path, OpenOption... options) throws IOException, CancelledException {
        Objects.requireNonNull(path, "path");
        OpenOption[] opts = options.length == 0 ? new OpenOption[] {StandardOpenOption.READ} : options.clone();
        CompletableFuture<FileChannel> f = Offload.start(() -> FileChannel.open(path, opts));
        try {
            return new AsyncFile(Offload.await(f), path);
        } catch (CancelledException e) {
            f.thenAccept(AsyncFile::closeQuietly);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nobody is left to tell
        }
    }

    /** {@return the file's path} */
    public Path path() {
        return path;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Suspends the calling task until some bytes are read, at most {@code maxBytes}.
     *
     * @param maxBytes the most to return; not negative
     * @return the bytes; empty at end of file
     * @throws IOException        if the read fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public byte[] read(int maxBytes) throws IOException, CancelledException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        call(() -> {
            synchronized (lock) {
                if (buffer.buffered() == 0 && maxBytes > 0) {
                    buffer.fill(source, Math.max(maxBytes, ReadBuffer.MIN_FILL));
                }
            }
            return null;
        });
        return take(maxBytes);
    }

    /**
     * Suspends the calling task until the rest of the file is read. Curio: {@code read()},
     * {@code readall()}.
     *
     * @return the bytes from the current position to the end
     * @throws IOException        if the read fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting; what was read
     *                            stays buffered
     */
    public byte[] readAll() throws IOException, CancelledException {
        fillToEnd();
        return take(Integer.MAX_VALUE);
    }

    /**
     * Suspends the calling task until {@code dst} is full or the end of the file is reached, and
     * advances its position. Curio: {@code readinto()}.
     *
     * @param dst where to put the bytes
     * @return how many bytes were read; -1 at end of file (if {@code dst} had room)
     * @throws IOException        if the read fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public int readInto(ByteBuffer dst) throws IOException, CancelledException {
        Objects.requireNonNull(dst, "dst");
        int want = dst.remaining();
        call(() -> {
            synchronized (lock) {
                buffer.fillTo(source, want);
            }
            return null;
        });
        byte[] bytes = take(want);
        dst.put(bytes);
        return bytes.length == 0 && want > 0 ? -1 : bytes.length;
    }

    /**
     * Suspends the calling task until a line (ending in {@code '\n'}) or the end of the file is read.
     * Curio: {@code readline()}.
     *
     * @return the line with its {@code '\n'}; at end of file the rest without one, or empty
     * @throws LimitExceededException if {@link #lineLimit()} bytes are read without a {@code '\n'};
     *                                they stay buffered, as {@link ByteStream#readLineAtMost} leaves them
     * @throws IOException            if the read fails or the file is closed
     * @throws CancelledException     if the task is cancelled or times out while waiting
     */
    public byte[] readLine() throws IOException, CancelledException {
        return readLineAtMost(buffer.lineLimit());
    }

    /**
     * Suspends the calling task until a line of at most {@code maxBytes} bytes (its {@code '\n'}
     * included) or the end of the file is read. Never buffers more of a line than {@code maxBytes}; see
     * {@link ByteStream#readLineAtMost(int)} for the state a {@link LimitExceededException} leaves.
     *
     * @param maxBytes the longest line accepted, newline included; positive
     * @return the line with its {@code '\n'}; at end of file the rest without one, or empty
     * @throws LimitExceededException if {@code maxBytes} bytes are read without a {@code '\n'}
     * @throws IOException            if the read fails or the file is closed
     * @throws CancelledException     if the task is cancelled or times out while waiting
     */
    public byte[] readLineAtMost(int maxBytes) throws IOException, CancelledException {
        ReadBuffer.checkLimit(maxBytes);
        int length = call(() -> {
            synchronized (lock) {
                return buffer.lineLength(source, maxBytes);
            }
        });
        return take(length);
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
     * @return this file
     */
    public AsyncFile setLineLimit(int maxBytes) {
        buffer.setLineLimit(maxBytes);
        return this;
    }

    /**
     * Suspends the calling task until the rest of the file is read, and returns its lines. Curio:
     * {@code readlines()}. No line limit applies.
     *
     * @return the lines, each with its {@code '\n'} (the last may lack it)
     * @throws IOException        if the read fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting; what was read
     *                            stays buffered
     */
    public List<byte[]> readLines() throws IOException, CancelledException {
        fillToEnd();
        synchronized (lock) {
            return buffer.takeLines();
        }
    }

    /**
     * Runs {@code body} for each line until the end of the file: curio's {@code async for line in f}.
     *
     * @param body what to do with each line
     * @param <X>  the body's checked exception
     * @throws X                  the body's own failure
     * @throws IOException        if a read fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out
     */
    public <X extends Exception> void forEachLine(ByteStream.LineBody<X> body)
            throws X, IOException, CancelledException {
        Objects.requireNonNull(body, "body");
        while (true) {
            byte[] line = readLine();
            if (line.length == 0) {
                return;
            }
            body.accept(line);
        }
    }

    // ------------------------------------------------------------------ writing and positioning

    /**
     * Suspends the calling task until {@code data} is written at the current position. Curio:
     * {@code write()}.
     *
     * @param data the bytes (copied: the caller may reuse the array at once)
     * @throws IOException        if the write fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting; the write still
     *                            completes, before any later operation
     */
    public void write(byte[] data) throws IOException, CancelledException {
        byte[] copy = Objects.requireNonNull(data, "data").clone();
        call(() -> {
            unread();
            ByteBuffer src = ByteBuffer.wrap(copy);
            while (src.hasRemaining()) {
                channel.write(src);
            }
            return null;
        });
    }

    /**
     * Suspends the calling task until every remaining byte of {@code src} is written, then sets its
     * position to its limit.
     *
     * @param src the bytes (copied before the write starts)
     * @throws IOException        if the write fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting; the write still
     *                            completes, before any later operation, but the position of
     *                            {@code src} is left unchanged
     */
    public void write(ByteBuffer src) throws IOException, CancelledException {
        Objects.requireNonNull(src, "src");
        byte[] copy = new byte[src.remaining()];
        src.get(src.position(), copy);
        write(copy);
        src.position(src.limit());
    }

    /**
     * Suspends the calling task until every line is written, one after another. Curio:
     * {@code writelines()}.
     *
     * @param lines the lines (written as given)
     * @throws IOException        if the write fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void writeLines(Iterable<byte[]> lines) throws IOException, CancelledException {
        Objects.requireNonNull(lines, "lines");
        for (byte[] line : lines) {
            write(line);
        }
    }

    /**
     * Suspends the calling task until every earlier operation (including abandoned ones) has
     * finished. Writes are not buffered in user space, so nothing else remains to flush. Curio:
     * {@code flush()}.
     *
     * @throws IOException        if the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void flush() throws IOException, CancelledException {
        call(() -> {
            if (!channel.isOpen()) {
                throw new java.nio.channels.ClosedChannelException();
            }
            return null;
        });
    }

    /**
     * Suspends the calling task until the file's content (and, if {@code metadata}, its metadata) has
     * reached the storage device ({@code fsync}).
     *
     * @param metadata whether to force metadata as well
     * @throws IOException        if it fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void sync(boolean metadata) throws IOException, CancelledException {
        call(() -> {
            channel.force(metadata);
            return null;
        });
    }

    /**
     * Suspends the calling task until the position is moved to {@code position}. Curio:
     * {@code seek(offset)}.
     *
     * @param position the new position, from the start of the file; not negative
     * @return the new position
     * @throws IOException        if it fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public long seek(long position) throws IOException, CancelledException {
        if (position < 0) {
            throw new IllegalArgumentException("position must not be negative: " + position);
        }
        return call(() -> {
            synchronized (lock) {
                buffer.clear();
            }
            channel.position(position);
            return position;
        });
    }

    /**
     * Suspends the calling task until the current position is known. Curio: {@code tell()}.
     *
     * @return the position from the start of the file
     * @throws IOException        if it fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public long tell() throws IOException, CancelledException {
        return call(() -> {
            synchronized (lock) {
                return channel.position() - buffer.buffered();
            }
        });
    }

    /**
     * Suspends the calling task until the file is cut to {@code size} bytes; the position is left
     * where it was unless it was beyond the new end, in which case it moves to it. Curio:
     * {@code truncate(size)}.
     *
     * @param size the new size; not negative
     * @throws IOException        if it fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void truncate(long size) throws IOException, CancelledException {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        call(() -> {
            unread();
            channel.truncate(size);
            return null;
        });
    }

    /**
     * Suspends the calling task until the file's size is known.
     *
     * @return the size in bytes
     * @throws IOException        if it fails or the file is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public long size() throws IOException, CancelledException {
        return call(channel::size);
    }

    /**
     * Returns the underlying channel for synchronous code (to be used from another thread, such as a
     * worker), positioned where this file's next read would start. Never suspends. Curio:
     * {@code blocking()}.
     *
     * @return the channel
     * @throws IllegalStateException if an operation is still running
     * @throws IOException           if the file is closed
     */
    public FileChannel blocking() throws IOException {
        if (!tail.isDone()) {
            throw new IllegalStateException("an operation on " + path + " is still running");
        }
        unread();
        return channel;
    }

    /**
     * Closes the file. An operation still running (abandoned by a cancelled task) fails. Never
     * suspends.
     *
     * @throws IOException if closing fails
     */
    @Override
    public void close() throws IOException {
        synchronized (lock) {
            buffer.clear();
        }
        channel.close();
    }

    /** {@return whether the file is open} */
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public String toString() {
        return "AsyncFile[" + path + (channel.isOpen() ? "" : ", closed") + "]";
    }

    // ------------------------------------------------------------------ machinery

    private <T> T call(Offload.IoCall<T> op) throws IOException, CancelledException {
        Traps.consumeBudget();                            // before the operation is queued
        CompletableFuture<T> f = tail.handle((v, e) -> (Void) null).thenApplyAsync(ignored -> {
            try {
                return op.call();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Offload.EXECUTOR);
        tail = f;
        return Offload.await(f);
    }

    /** Suspends the calling task until the rest of the file is buffered. */
    private void fillToEnd() throws IOException, CancelledException {
        call(() -> {
            synchronized (lock) {
                buffer.fillToEnd(source, ReadBuffer.MAX_CAPACITY);
            }
            return null;
        });
    }

    /** Takes up to {@code max} buffered bytes; task side. */
    private byte[] take(int max) {
        synchronized (lock) {
            return buffer.take(Math.min(max, buffer.buffered()));
        }
    }

    /** Moves the channel back over the read-ahead bytes and drops them. */
    private void unread() throws IOException {
        synchronized (lock) {
            int n = buffer.buffered();
            if (n > 0) {
                channel.position(channel.position() - n);
            }
            buffer.clear();
        }
    }
}
