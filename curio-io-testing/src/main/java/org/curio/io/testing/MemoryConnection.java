package org.curio.io.testing;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.io.Socket;
import org.curio.traps.CancelledException;
import org.curio.traps.ReadResourceBusyException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.WriteResourceBusyException;
import org.jspecify.annotations.Nullable;

/**
 * One end of a {@link MemoryNetwork} connection: a {@link Connection} that behaves like a connected
 * stream {@link Socket}, with its bytes carried in memory. Get one from {@link MemoryNetwork#pair()},
 * {@link MemoryNetwork#connect(String)} or a memory listener's {@code accept()}.
 *
 * <p><b>Flow control.</b> Each direction holds at most the connection's
 * {@linkplain MemoryNetwork.Options#bufferSize() buffer size} of bytes sent and not yet received; a
 * sender waits while it is full, and wakes as soon as the receiver takes some. A receive returns what
 * is readable, at most one {@linkplain MemoryNetwork.Options#chunkSize() chunk}; bytes become readable
 * a {@linkplain MemoryNetwork.Options#delay() delay} after they were sent.
 *
 * <p><b>Ending.</b> {@link #shutdownOutput()} ends this end's sending side: the peer reads the bytes in
 * flight, then end of stream, and this end's later sends fail. {@link #close()} also ends the sending
 * side (the peer reads what was sent, then end of stream) and drops the bytes still coming towards this
 * end; the peer's later sends fail with a {@link SocketException} "broken pipe", like {@code EPIPE}. A
 * {@linkplain Link#reset() reset} drops the bytes in flight both ways and makes every operation of
 * either end fail with a {@link SocketException} "connection reset". Operations with nothing to move
 * (an empty buffer, a full destination) return 0 on an open connection whatever its state, as a
 * socket's do.
 *
 * <p><b>Partial progress.</b> {@link #send} and {@link #recvInto} advance the buffer's position by
 * exactly what moved; {@link #sendAll(ByteBuffer)} tells how far it got through the position, also
 * when it is cancelled or times out.
 *
 * <p><b>Cancellation.</b> Receiving, sending and connecting are cancellation points while they wait,
 * and at the yield the cooperative budget forces before they move anything: a receive that is
 * cancelled or times out takes no bytes, and a send no bytes beyond those its position shows.
 *
 * <p><b>Every task gets its turn.</b> Each receive, send, accept and connect draws on the calling
 * task's cooperative budget, as a socket's do, so a connection that is always ready cannot starve the
 * kernel's other tasks.
 *
 * <p><b>Busy.</b> At most one task may wait to receive, and one to send, on an end at a time: a second
 * task that would have to wait gets {@link ReadResourceBusyException} (or
 * {@link WriteResourceBusyException}) at once, as with a {@link Socket}.
 *
 * <p><b>Closing.</b> {@link #close()} never suspends. A task waiting on this end wakes and fails with a
 * {@link SocketException} "connection closed", as does any later use. Close from a task of the
 * network's kernel, or when none of its tasks can run: a close from elsewhere does not wake waiters.
 *
 * <p><b>Thread safety.</b> Only tasks of the network's kernel may use a connection.
 */
public final class MemoryConnection implements Connection {
    /*
     * Implementation notes. Every operation looks at the state, moves what it can, and parks on its
     * flow's wait queue only when nothing can move; whoever changes the state (a send, a receive, a
     * close, a reset, a resume) wakes the waiter, which looks again. The checks come in the order a
     * socket makes them: closed first, then nothing to move (answers 0), then reset, then the
     * direction's own state. A task that has waited once in a call holds the side's busy slot until
     * the call returns, so a third task that takes readable bytes without waiting is never refused.
     */
    private final MemoryNetwork network;
    private final Link link;
    private final Flow in;                                // towards this end
    private final Flow out;                               // from this end
    private final MemoryAddress local;
    private final MemoryAddress remote;
    private boolean closed;
    private @Nullable ByteStream stream;

    MemoryConnection(MemoryNetwork network, Link link, Flow in, Flow out, MemoryAddress local, MemoryAddress remote) {
        this.network = network;
        this.link = link;
        this.in = in;
        this.out = out;
        this.local = local;
        this.remote = remote;
    }

    /** {@return the link between this end and its peer, with its fault controls} */
    public Link link() {
        return link;
    }

    /**
     * Suspends the calling task until bytes are readable or the stream has ended, and puts as many
     * as fit into {@code dst}, at most one chunk, advancing its position.
     *
     * @param dst where to put the bytes
     * @return the count; -1 at end of stream; 0 if {@code dst} has no room
     * @throws SocketException           if this end is closed (before or while waiting), or the
     *                                   connection is reset
     * @throws ReadResourceBusyException if another task is waiting to receive on this end, and this
     *                                   one would have to wait
     * @throws CancelledException        if the task is cancelled or times out while waiting; no bytes
     *                                   were taken
     */
    @Override
    public int recvInto(ByteBuffer dst) throws IOException, CancelledException {
        Objects.requireNonNull(dst, "dst");
        Traps.consumeBudget();
        boolean waited = false;
        try {
            while (true) {
                ensureOpen();
                if (!dst.hasRemaining()) {
                    return 0;
                }
                ensureNotReset();
                long now = network.now(in);
                int n = in.take(dst, now);
                if (n != 0) {
                    if (n > 0) {
                        network.wake(in.writers);               // room for the peer's sender
                    }
                    return n;
                }
                if (!waited) {
                    if (in.reader != null) {
                        throw new ReadResourceBusyException("another task (" + in.reader.name()
                                + ") is already waiting to receive on " + local);
                    }
                    in.reader = Traps.call(new Trap.GetCurrent());
                    waited = true;
                }
                network.park(in.readWait, in.nextReadable());
            }
        } finally {
            if (waited) {
                in.reader = null;
            }
        }
    }

    /**
     * Suspends the calling task until the connection has room for some of {@code src}, and sends as
     * much as fits, advancing its position.
     *
     * @param src the bytes
     * @return the count sent; 0 if {@code src} is empty
     * @throws SocketException            if this end is closed (before or while waiting), its output is
     *                                    shut down, the peer has closed, or the connection is reset
     * @throws WriteResourceBusyException if another task is waiting to send on this end, and this one
     *                                    would have to wait
     * @throws CancelledException         if the task is cancelled or times out while waiting; nothing
     *                                    was sent
     */
    @Override
    public int send(ByteBuffer src) throws IOException, CancelledException {
        Objects.requireNonNull(src, "src");
        Traps.consumeBudget();
        boolean waited = false;
        try {
            while (true) {
                ensureOpen();
                if (!src.hasRemaining()) {
                    return 0;
                }
                ensureNotReset();
                if (out.isShut()) {
                    throw new SocketException("broken pipe: output of " + local + " is shut down");
                }
                if (out.isReceiverClosed()) {
                    throw new SocketException("broken pipe: the peer has closed the connection");
                }
                int n = out.put(src, network.now(out));
                if (n > 0) {
                    network.wake(out.readers);
                    return n;
                }
                if (!waited) {
                    if (out.writer != null) {
                        throw new WriteResourceBusyException("another task (" + out.writer.name()
                                + ") is already waiting to send on " + local);
                    }
                    out.writer = Traps.call(new Trap.GetCurrent());
                    waited = true;
                }
                network.park(out.writeWait, Trap.NO_DEADLINE);
            }
        } finally {
            if (waited) {
                out.writer = null;
            }
        }
    }

    /**
     * Shuts down the sending side: the peer reads the bytes in flight, then end of stream; later sends
     * from this end fail, and a task waiting to send wakes and fails. This end can still receive. Never
     * suspends; does nothing more if the output is shut down already.
     *
     * @throws SocketException if this end is closed or the connection is reset
     */
    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
        ensureNotReset();
        out.shut(network.now(out));
        network.wake(out.readers);
        network.wake(out.writers);
    }

    /**
     * {@return this end's address}
     *
     * @throws SocketException if this end is closed
     */
    @Override
    public SocketAddress localAddress() throws IOException {
        ensureOpen();
        return local;
    }

    /**
     * {@return the peer's address}
     *
     * @throws SocketException if this end is closed
     */
    @Override
    public SocketAddress remoteAddress() throws IOException {
        ensureOpen();
        return remote;
    }

    /** {@return whether this end is open} Reset connections stay open until closed. */
    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Closes this end: the peer reads the bytes already sent, then end of stream, and its later sends
     * fail; bytes in flight towards this end are dropped. Tasks waiting on this end wake and fail with
     * a {@link SocketException} "connection closed". Never suspends; does nothing if closed already.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        network.closed(this);
        out.shut(network.now(out));
        in.receiverClosed();
        link.wakeAll();
    }

    /** {@return a buffered stream over this end, the same one on every call} Closing it closes this end. */
    @Override
    public ByteStream asStream() {
        if (stream == null) {
            stream = ByteStream.of(this);
        }
        return stream;
    }

    /** {@return this end's address, open or closed} */
    MemoryAddress address() {
        return local;
    }

    private void ensureOpen() throws SocketException {
        if (closed) {
            throw new SocketException("connection closed: " + local);
        }
    }

    private void ensureNotReset() throws SocketException {
        if (link.isReset()) {
            throw new SocketException("connection reset: " + local);
        }
    }

    /** {@return the addresses and the state, such as {@code MemoryConnection[memory:kv#3 -> memory:kv, open]}} */
    @Override
    public String toString() {
        String state = closed ? "closed" : link.isReset() ? "reset" : out.isShut() ? "output shut down" : "open";
        return "MemoryConnection[" + local + " -> " + remote + ", " + state + "]";
    }
}
