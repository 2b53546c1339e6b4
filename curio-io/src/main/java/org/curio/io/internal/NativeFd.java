package org.curio.io.internal;

import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;

import io.netty.channel.ChannelException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import org.curio.traps.CancelledException;
import org.curio.traps.Pollable;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/**
 * One open, non-blocking file descriptor (a socket, a pipe, a tty) and its identity for the kernel.
 *
 * <p>Every I/O method follows the kernel's readiness contract: try the non-blocking system call
 * first; only when it would block, wait with {@link Trap.ReadWait} or {@link Trap.WriteWait} and try
 * again. After every wait the descriptor is checked: if another task closed it meanwhile (its
 * {@link Trap.IoRelease} woke us), the waiter fails with "closed" instead of touching a descriptor
 * number that may already belong to someone else.
 *
 * <p>The waiting operations ({@link #read}, {@link #readBytes}, {@link #write}, {@link #writeAll})
 * first draw on the calling task's cooperative budget ({@link Traps#consumeBudget()}), before any
 * system call, so a task whose descriptor is always ready still yields now and then, and a
 * cancellation delivered at that yield has moved no byte.
 *
 * <p>Each instance is its own {@link Pollable}: one per open descriptor, never reused after close, so
 * a new descriptor that reuses the number gets a fresh registration and no stale readiness.
 */
public final class NativeFd implements Pollable, Transport {
    /*
     * Implementation notes. Netty's Socket.recv/send and FileDescriptor.read/write return a positive
     * count, 0 for would-block and -1 for end of stream; they need direct memory, so heap buffers go
     * through a DirectBuffers scratch buffer, borrowed only across one call and one copy (no
     * suspension in between). The trap records are immutable and reused for every wait.
     *
     * Discussion: every read tries the system call before it waits, even right after a short read.
     * Skipping that call (Netty's "the queue is drained" heuristic) is unsound here: the peer's data
     * and its FIN can arrive under one edge, so after a short read the end of stream may still be
     * pending with no further edge to come. Netty can skip because it sees EPOLLRDHUP; the kernel's
     * ReadWait does not report which events fired.
     */
    /** What {@link #tryRead} and {@link #tryWrite} return when the call would block. */
    public static final int WOULD_BLOCK = 0;
    /** What {@link #tryRead} returns at end of stream. */
    public static final int EOF = Transport.EOF;

    private static final @Nullable Throwable UNAVAILABLE = Epoll.isAvailable() ? null : Epoll.unavailabilityCause();

    private final FileDescriptor file;
    private final @Nullable Socket socket;      // the same object as file, when it is a socket
    private final Trap.ReadWait readWait = new Trap.ReadWait(this);
    private final Trap.WriteWait writeWait = new Trap.WriteWait(this);
    private int fd;                             // -1 once closed or detached
    private boolean registered;                 // a wait was issued: the kernel may hold a registration

    private NativeFd(FileDescriptor file, @Nullable Socket socket) {
        this.file = file;
        this.socket = socket;
        this.fd = file.intValue();
    }

    /**
     * Wraps a socket.
     *
     * @param socket the socket
     * @return the descriptor
     */
    public static NativeFd ofSocket(Socket socket) {
        return new NativeFd(socket, socket);
    }

    /**
     * Wraps a descriptor that is not a socket (pipe, tty, FIFO); it must be non-blocking already.
     *
     * @param file the descriptor
     * @return the descriptor
     */
    public static NativeFd ofFile(FileDescriptor file) {
        return new NativeFd(file, null);
    }

    /**
     * Makes sure Netty's native library, which holds the system calls, is loaded.
     *
     * @throws IllegalStateException if it cannot be loaded here, with what to do about it
     */
    public static void load() {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException("curio-io needs Netty's native epoll library, which did not load ("
                    + UNAVAILABLE.getMessage() + "); it needs Linux on x86_64 and the jar"
                    + " io.netty:netty-transport-native-epoll:linux-x86_64, which curio-kernel depends on: on the class"
                    + " path, check that the jar is there; on the module path, that curio-kernel's module is",
                    UNAVAILABLE);
        }
    }

    @Override
    public int fd() {
        return fd;
    }

    /** {@return whether the descriptor is open} */
    public boolean isOpen() {
        return fd >= 0;
    }

    /**
     * {@return the Netty socket, for calls this class does not wrap}
     *
     * @throws IOException if the descriptor is closed
     */
    public Socket socket() throws IOException {
        ensureOpen();
        if (socket == null) {
            throw new IllegalStateException("fd " + fd + " is not a socket");
        }
        return socket;
    }

    /**
     * Throws if the descriptor has been closed.
     *
     * @throws IOException a {@link SocketException} for a socket, a plain one otherwise
     */
    public void ensureOpen() throws IOException {
        if (fd < 0) {
            throw socket != null ? new SocketException("socket closed") : new IOException("stream closed");
        }
    }

    /**
     * Suspends the calling task until the descriptor is readable (or was closed).
     *
     * @throws IOException        if the descriptor was closed, before or during the wait
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void awaitReadable() throws IOException, CancelledException {
        ensureOpen();
        registered = true;
        Traps.call(readWait);
        ensureOpen();
    }

    /**
     * Suspends the calling task until the descriptor is writable (or was closed).
     *
     * @throws IOException        if the descriptor was closed, before or during the wait
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void awaitWritable() throws IOException, CancelledException {
        ensureOpen();
        registered = true;
        Traps.call(writeWait);
        ensureOpen();
    }

    /**
     * Reads once without waiting into {@code dst} (which must have room), advancing its position.
     *
     * @param dst where to put the bytes
     * @return the count, {@link #WOULD_BLOCK} or {@link #EOF}
     * @throws IOException if the call fails or the descriptor is closed
     */
    public int tryRead(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (dst.isDirect()) {
            int pos = dst.position();
            int n = readNative(dst, pos, dst.limit());
            if (n > 0) {
                dst.position(pos + n);
            }
            return n;
        }
        ByteBuffer scratch = DirectBuffers.acquire();
        try {
            int n = readNative(scratch, 0, Math.min(dst.remaining(), scratch.capacity()));
            if (n > 0) {
                dst.put(scratch.limit(n));
            }
            return n;
        } finally {
            DirectBuffers.release(scratch);
        }
    }

    /**
     * Reads once without waiting, at most {@code max} bytes, into a new array.
     *
     * @param max the most to read; positive
     * @return the bytes (empty at end of stream), or null if the call would block
     * @throws IOException if the call fails or the descriptor is closed
     */
    public byte @Nullable [] tryReadBytes(int max) throws IOException {
        ensureOpen();
        ByteBuffer scratch = DirectBuffers.acquire();
        try {
            int n = readNative(scratch, 0, Math.min(max, scratch.capacity()));
            if (n == WOULD_BLOCK) {
                return null;
            }
            if (n == EOF) {
                return new byte[0];
            }
            byte[] bytes = new byte[n];
            scratch.get(0, bytes);
            return bytes;
        } finally {
            DirectBuffers.release(scratch);
        }
    }

    /**
     * Suspends the calling task until at least one byte has been read into {@code dst} or the stream
     * has ended.
     *
     * @param dst where to put the bytes; its position advances
     * @return the count, 0 if {@code dst} has no room, or {@link #EOF}
     * @throws IOException        if the call fails or the descriptor is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public int read(ByteBuffer dst) throws IOException, CancelledException {
        Traps.consumeBudget();
        if (!dst.hasRemaining()) {
            ensureOpen();
            return 0;
        }
        while (true) {
            int n = tryRead(dst);
            if (n != WOULD_BLOCK) {
                return n;
            }
            awaitReadable();
        }
    }

    /**
     * Suspends the calling task until some bytes, at most {@code max}, have been read.
     *
     * @param max the most to read; positive
     * @return the bytes, empty at end of stream
     * @throws IOException        if the call fails or the descriptor is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public byte[] readBytes(int max) throws IOException, CancelledException {
        Traps.consumeBudget();
        while (true) {
            byte[] bytes = tryReadBytes(max);
            if (bytes != null) {
                return bytes;
            }
            awaitReadable();
        }
    }

    /**
     * Writes once without waiting from {@code src} (which must have bytes), advancing its position.
     *
     * @param src the bytes
     * @return the count written, or {@link #WOULD_BLOCK}
     * @throws IOException if the call fails or the descriptor is closed
     */
    public int tryWrite(ByteBuffer src) throws IOException {
        ensureOpen();
        if (src.isDirect()) {
            int pos = src.position();
            int n = writeNative(src, pos, src.limit());
            if (n > 0) {
                src.position(pos + n);
            }
            return n;
        }
        ByteBuffer scratch = DirectBuffers.acquire();
        try {
            int len = Math.min(src.remaining(), scratch.capacity());
            scratch.put(0, src, src.position(), len);
            int n = writeNative(scratch, 0, len);
            if (n > 0) {
                src.position(src.position() + n);
            }
            return n;
        } finally {
            DirectBuffers.release(scratch);
        }
    }

    /**
     * Suspends the calling task until at least one byte of {@code src} has been written.
     *
     * @param src the bytes; its position advances
     * @return the count written (0 if {@code src} is empty)
     * @throws IOException        if the call fails or the descriptor is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public int write(ByteBuffer src) throws IOException, CancelledException {
        Traps.consumeBudget();
        if (!src.hasRemaining()) {
            ensureOpen();
            return 0;
        }
        while (true) {
            int n = tryWrite(src);
            if (n != WOULD_BLOCK) {
                return n;
            }
            awaitWritable();
        }
    }

    /**
     * Suspends the calling task until every byte of {@code src} has been written. The position of
     * {@code src} always tells exactly how far it got, also when this method is cancelled or fails.
     *
     * @param src the bytes
     * @throws IOException        if the call fails or the descriptor is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void writeAll(ByteBuffer src) throws IOException, CancelledException {
        Traps.consumeBudget();
        ensureOpen();
        while (src.hasRemaining()) {
            if (tryWrite(src) == WOULD_BLOCK) {
                awaitWritable();
            }
        }
    }

    private int readNative(ByteBuffer buf, int pos, int limit) throws IOException {
        try {
            return socket != null ? socket.recv(buf, pos, limit) : file.read(buf, pos, limit);
        } catch (IOException | ChannelException | NotYetConnectedException e) {
            throw Errno.translate(socket != null ? "recv" : "read", e, null);
        }
    }

    private int writeNative(ByteBuffer buf, int pos, int limit) throws IOException {
        try {
            return socket != null ? socket.send(buf, pos, limit) : file.write(buf, pos, limit);
        } catch (IOException | ChannelException | NotYetConnectedException e) {
            throw Errno.translate(socket != null ? "send" : "write", e, null);
        }
    }

    /**
     * Closes the descriptor. If a task of the calling kernel waits on it, the kernel wakes that task
     * (it then fails with "closed"). Never suspends; does nothing if closed already.
     */
    public void close() {
        if (fd < 0) {
            return;
        }
        release();
        fd = -1;
        try {
            file.close();
        } catch (IOException e) {
            // close(2) frees the descriptor number even when it reports an error; nothing to undo.
        }
    }

    /**
     * Gives up the descriptor without closing it: releases the kernel's registration and marks this
     * object closed. Never suspends.
     *
     * @return the descriptor number, now owned by the caller
     * @throws IOException if it is closed already
     */
    public int detach() throws IOException {
        ensureOpen();
        release();
        int n = fd;
        fd = -1;
        return n;
    }

    private void release() {
        if (registered && Traps.inTask()) {
            Traps.call(new Trap.IoRelease(this));
        }
        registered = false;
    }

    @Override
    public String toString() {
        return "fd=" + (fd < 0 ? "closed" : Integer.toString(fd));
    }
}
