package org.curio.io.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;

import io.netty.channel.ChannelException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import org.curio.traps.CancelledException;
import org.curio.traps.Pollable;
import org.curio.traps.Readiness;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/**
 * One open, non-blocking file descriptor (a socket, a pipe, a tty) and its identity for the kernel,
 * with the one system-call helper every proxy of this module is built from.
 *
 * <p><b>The helper.</b> {@link #now} makes one non-blocking call: it fails if the descriptor is
 * closed, makes the call, and turns Netty's failure into the JDK's exception ({@link Errno}).
 * {@link #retry} adds the kernel's readiness contract: it draws on the calling task's cooperative
 * budget ({@link Traps#consumeBudget()}) once, before any system call, then makes the call and, only
 * when it would block, waits with {@link Trap.ReadWait} or {@link Trap.WriteWait} and makes it again.
 * So a task whose descriptor is always ready still yields now and then, and a cancellation delivered
 * at that yield has moved no byte. The data reads of a stream socket ({@link #read}, {@link #readBytes})
 * wait before the call instead when the previous read drained the socket (see the implementation
 * notes); {@link #readCalls()}, {@link #readsWouldBlock()} and {@link #readsSkipped()} count what that
 * saves. After every wait the descriptor is checked: if another task closed
 * it meanwhile (its {@link Trap.IoRelease} woke us), the waiter fails with "closed" instead of touching
 * a descriptor number that may already belong to someone else.
 *
 * <p>Each instance is its own {@link Pollable}: one per open descriptor, never reused after close, so
 * a new descriptor that reuses the number gets a fresh registration and no stale readiness.
 */
public final class NativeFd implements Pollable {
    /*
     * Implementation notes. Netty's Socket.recv/send and FileDescriptor.read/write return a positive
     * count, 0 for would-block and -1 for end of stream; they need direct memory, so heap buffers go
     * through a DirectBuffers scratch buffer, borrowed only across one call and one copy (no
     * suspension in between). A call given to the helper answers null for would-block. The trap
     * records are immutable and reused for every wait.
     *
     * Discussion: skipping the read that would block. A read of a stream socket that returns fewer
     * bytes than asked has drained the receive queue (TCP and Unix stream sockets copy until the
     * buffer is full or the queue is empty), so the next read would fail with EAGAIN unless something
     * arrived since; anything that arrives since makes a new edge, which the kernel reports or keeps.
     * The exception is what arrived before the drain under the edge that woke us: the peer's FIN, a
     * reset or an error can come with the last data, and no further edge follows them. The ReadWait's
     * answer says whether they did (Readiness.endsStream). So after a short read, if the wait that
     * last consumed an edge reported readable and no hang-up or error, the next receive waits first
     * (readDrained), instead of calling recv and getting EAGAIN. Every read wait clears readDrained,
     * whoever issues it (waitReadable too), because it consumes the edge the skipped read would need;
     * a cancelled or failed wait leaves the last wake unknown (readWakeClean false), so the next read
     * after it is made at once. Only stream sockets skip: a short datagram or a short read of a pipe or
     * tty says nothing about what is left. Nor does a TCP read that stops at an urgent mark, with data
     * behind it: a wake that reported urgent data (Readiness.PRIORITY) is not clean either. Writes never skip: echo-style traffic never writes short,
     * so there is nothing to gain for the risk.
     */
    /** What {@link #read} returns at end of stream. */
    public static final int EOF = -1;

    private static final @Nullable Throwable UNAVAILABLE = Epoll.isAvailable() ? null : Epoll.unavailabilityCause();

    // On by default; -Dorg.curio.io.skipDrainedReads=false turns it off (skipDrainedReads per socket).
    // It was off for a while because the TLS stream contract over TCP then read "connection reset"
    // where it expected end of stream. The cause was not the skip: a TLS 1.3 client closed its socket
    // with the server's session ticket unread, which makes the close a reset (RFC 1122, 4.2.2.13), and
    // the reset dropped its close_notify, still queued, whenever the reader had not yet read (the skip
    // only changed that timing). TlsConnection now discards unread ciphertext before it closes.
    private static final boolean SKIP_BY_DEFAULT =
            !"false".equalsIgnoreCase(System.getProperty("org.curio.io.skipDrainedReads", "true"));

    /** Which readiness a call that would block waits for. */
    public enum Ready {
        /** Readable: data, end of stream, an error, or a connection to accept. */
        READABLE,
        /** Writable: room to send, a connect that finished, or an error. */
        WRITABLE
    }

    /**
     * One non-blocking system call, made by {@link #now} or {@link #retry}.
     *
     * @param <T> its result
     */
    @FunctionalInterface
    public interface Syscall<T extends @Nullable Object> {
        /**
         * Makes the call once, without waiting.
         *
         * @return its result; for {@link #retry}, null if it would block
         * @throws IOException if it fails (Netty's unchecked failures are translated as well)
         */
        T call() throws IOException;
    }

    private final FileDescriptor file;
    private final @Nullable Socket socket;      // the same object as file, when it is a socket
    private final String readCall;              // "recv" or "read", for error messages
    private final String writeCall;             // "send" or "write"
    private final Trap.ReadWait readWait = new Trap.ReadWait(this);
    private final Trap.WriteWait writeWait = new Trap.WriteWait(this);
    private final boolean streamSocket;         // a TCP or Unix stream socket: reads may skip (see notes)
    private boolean skipDrained;                // reads skip after a drain (stream sockets, when enabled)
    private int fd;                             // -1 once closed or detached
    private boolean registered;                 // a wait was issued: the kernel may hold a registration
    private boolean readWakeClean;              // the last read wait answered readable, no hang-up or error
    private boolean readDrained;                // a short read followed a clean wake: the next read waits first
    private long readCalls;                     // read system calls made (test and bench observation)
    private long readsWouldBlock;               // of which answered EAGAIN
    private long readsSkipped;                  // reads not made because the last one drained the socket

    private NativeFd(FileDescriptor file, @Nullable Socket socket, boolean streamSocket) {
        this.file = file;
        this.socket = socket;
        this.streamSocket = streamSocket;
        this.skipDrained = streamSocket && SKIP_BY_DEFAULT;
        this.readCall = socket != null ? "recv" : "read";
        this.writeCall = socket != null ? "send" : "write";
        this.fd = file.intValue();
    }

    /**
     * Wraps a socket.
     *
     * @param socket the socket
     * @param stream whether it is a stream socket (TCP or Unix stream), whose reads may skip the system
     *               call that would block after a short read; false for datagram sockets
     * @return the descriptor
     */
    public static NativeFd ofSocket(Socket socket, boolean stream) {
        return new NativeFd(socket, socket, stream);
    }

    /**
     * Wraps a descriptor that is not a socket (pipe, tty, FIFO); it must be non-blocking already.
     *
     * @param file the descriptor
     * @return the descriptor
     */
    public static NativeFd ofFile(FileDescriptor file) {
        return new NativeFd(file, null, false);
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
     * Throws if the descriptor has been closed.
     *
     * @throws IOException a {@link SocketException} for a socket, a plain one otherwise
     */
    public void ensureOpen() throws IOException {
        if (fd < 0) {
            throw socket != null ? new SocketException("socket closed") : new IOException("stream closed");
        }
    }

    // ------------------------------------------------------------------ the system-call helper

    /**
     * Makes {@code call} once, without an open descriptor to check: turns Netty's failure into the
     * JDK's. Never suspends. For calls that create descriptors.
     *
     * @param operation the system call, for the message
     * @param address   the address involved, or null
     * @param call      the call
     * @param <T>       its result
     * @return its result
     * @throws IOException its failure, translated
     */
    public static <T extends @Nullable Object> T make(String operation, @Nullable SocketAddress address,
            Syscall<T> call) throws IOException {
        try {
            return call.call();
        } catch (IOException | ChannelException | NotYetConnectedException e) {
            throw Errno.translate(operation, e, address);
        }
    }

    /**
     * Makes {@code call} once: fails if the descriptor is closed, makes the call and translates its
     * failure. Never suspends.
     *
     * @param operation the system call, for the message
     * @param address   the address involved, or null
     * @param call      the call
     * @param <T>       its result
     * @return its result
     * @throws IOException if the descriptor is closed, or the call's failure, translated
     */
    public <T extends @Nullable Object> T now(String operation, @Nullable SocketAddress address, Syscall<T> call)
            throws IOException {
        ensureOpen();
        return make(operation, address, call);
    }

    /**
     * Draws on the calling task's cooperative budget, then makes {@code call} with {@link #now} until
     * it does not block, suspending the task until the descriptor is {@code ready} in between.
     *
     * @param ready     what to wait for when the call would block
     * @param operation the system call, for the message
     * @param address   the address involved, or null
     * @param call      the call; answers null for would-block
     * @param <T>       its result
     * @return its first result that is not null
     * @throws IOException        if the descriptor is closed, before or during a wait, or the call's
     *                            failure, translated
     * @throws CancelledException if the task is cancelled or times out while waiting or yielding
     */
    public <T> T retry(Ready ready, String operation, @Nullable SocketAddress address,
            Syscall<@Nullable T> call) throws IOException, CancelledException {
        Traps.consumeBudget();
        while (true) {
            @Nullable T result = now(operation, address, call);
            if (result != null) {
                return result;
            }
            await(ready);
        }
    }

    /**
     * Suspends the calling task until the descriptor is {@code ready} (or was closed).
     *
     * @param ready readable or writable
     * @throws IOException        if the descriptor was closed, before or during the wait
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void await(Ready ready) throws IOException, CancelledException {
        ensureOpen();
        registered = true;
        if (ready == Ready.READABLE) {
            readDrained = false;                        // this wait consumes the edge a skipped read needs
            readWakeClean = false;                      // unknown until the wait answers
            Readiness seen = Traps.call(readWait);
            readWakeClean = seen.isReadable() && !seen.endsStream() && !seen.has(Readiness.PRIORITY);
        } else {
            Traps.call(writeWait);
        }
        ensureOpen();
    }

    /**
     * Sets whether reads of this stream socket wait before the call after a read that drained it (see
     * the implementation notes); on by default unless the system property
     * {@code org.curio.io.skipDrainedReads} is false. Does nothing for other descriptors. Never suspends.
     *
     * @param on whether to skip
     */
    public void skipDrainedReads(boolean on) {
        skipDrained = on && streamSocket;
        readDrained = readDrained && skipDrained;
    }

    /**
     * Makes the next read call the system at once, even after a short read: for a change the
     * readiness edges may not report, such as shutting down the reading side. Never suspends.
     */
    public void readAtOnce() {
        readDrained = false;
    }

    /**
     * Draws on the budget, then reads with {@code call} as {@link #retry} does, except that after a
     * short read of a stream socket whose wake reported no hang-up or error, it waits for readiness
     * before the first call instead of making a call bound to answer would-block.
     */
    private <T> T receive(Syscall<@Nullable T> call) throws IOException, CancelledException {
        Traps.consumeBudget();
        if (readDrained) {
            readsSkipped++;
            await(Ready.READABLE);
        }
        while (true) {
            @Nullable T result = now(readCall, null, call);
            if (result != null) {
                return result;
            }
            await(Ready.READABLE);
        }
    }

    /** {@return how many read system calls this descriptor has made} For tests and measurements. */
    public long readCalls() {
        return readCalls;
    }

    /** {@return how many of its read system calls answered would-block (EAGAIN)} */
    public long readsWouldBlock() {
        return readsWouldBlock;
    }

    /** {@return how many reads waited first instead of making a call bound to answer would-block} */
    public long readsSkipped() {
        return readsSkipped;
    }

    // ------------------------------------------------------------------ data

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
        int before = dst.position();
        boolean open = receive(() -> transferOnce(dst, false));
        return open ? dst.position() - before : EOF;
    }

    /**
     * Suspends the calling task until some bytes, at most {@code max}, have been read.
     *
     * @param max the most to read; not negative
     * @return the bytes, empty at end of stream (or if {@code max} is 0)
     * @throws IOException        if the call fails or the descriptor is closed
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public byte[] readBytes(int max) throws IOException, CancelledException {
        if (max < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + max);
        }
        if (max == 0) {
            ensureOpen();
            return new byte[0];
        }
        return receive(() -> readBytesOnce(max));
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
        int before = src.position();
        retry(Ready.WRITABLE, writeCall, null, () -> transferOnce(src, true));
        return src.position() - before;
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
        retry(Ready.WRITABLE, writeCall, null, () -> {
            while (src.hasRemaining()) {
                if (transferOnce(src, true) == null) {
                    return null;
                }
            }
            return Boolean.TRUE;
        });
    }

    /**
     * Reads into or writes from {@code buf} once, advancing its position: through a scratch buffer if
     * it is a heap buffer. Answers true if bytes moved or {@code buf} has nothing to move, false at end
     * of stream, null if the call would block (no count: the position tells it, and the answers are
     * cached objects, so the hot path allocates no box); throws Netty's failures untranslated.
     */
    private @Nullable Boolean transferOnce(ByteBuffer buf, boolean write) throws IOException {
        if (!buf.hasRemaining()) {
            return Boolean.TRUE;
        }
        int n;
        if (buf.isDirect()) {
            n = transferNative(buf, buf.position(), buf.limit(), write);
            if (n > 0) {
                buf.position(buf.position() + n);
            }
        } else {
            ByteBuffer scratch = DirectBuffers.acquire();
            try {
                int len = Math.min(buf.remaining(), scratch.capacity());
                if (write) {
                    scratch.put(0, buf, buf.position(), len);
                }
                n = transferNative(scratch, 0, len, write);
                if (n > 0 && write) {
                    buf.position(buf.position() + n);
                } else if (n > 0) {
                    buf.put(scratch.limit(n));
                }
            } finally {
                DirectBuffers.release(scratch);
            }
        }
        return n == 0 ? null : n > 0;
    }

    /** Reads once, at most {@code max} bytes, into a new array; null if it would block. */
    private byte @Nullable [] readBytesOnce(int max) throws IOException {
        ByteBuffer scratch = DirectBuffers.acquire();
        try {
            int n = transferNative(scratch, 0, Math.min(max, scratch.capacity()), false);
            if (n == 0) {
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

    private int transferNative(ByteBuffer buf, int pos, int limit, boolean write) throws IOException {
        if (write) {
            return socket != null ? socket.send(buf, pos, limit) : file.write(buf, pos, limit);
        }
        int n = socket != null ? socket.recv(buf, pos, limit) : file.read(buf, pos, limit);
        readCalls++;
        if (n == 0) {
            readsWouldBlock++;
        } else if (n > 0 && n < limit - pos && skipDrained) {
            readDrained = readWakeClean;
        }
        return n;
    }

    /**
     * Reads and throws away what the descriptor holds now, without suspending and without drawing on
     * the budget: until a read would block, reaches end of stream, or {@code max} bytes have gone.
     *
     * @param max the most bytes to throw away
     * @return how many were thrown away
     * @throws IOException if the descriptor is closed, or the read fails (a reset, say), translated
     */
    public long discardReadable(long max) throws IOException {
        ByteBuffer scratch = DirectBuffers.acquire();
        try {
            long total = 0;
            while (total < max) {
                int len = (int) Math.min(scratch.capacity(), max - total);
                int n = now(readCall, null, () -> transferNative(scratch, 0, len, false));
                if (n <= 0) {
                    break;
                }
                total += n;
            }
            readDrained = false;
            return total;
        } finally {
            DirectBuffers.release(scratch);
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
