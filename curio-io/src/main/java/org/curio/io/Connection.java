package org.curio.io;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

import org.curio.traps.CancelledException;

/**
 * A connected, two-way byte stream: what protocol code reads and writes, whatever carries the bytes.
 * A connected stream {@link Socket} is one; so are the streams of a {@code MemoryNetwork} (module curio-io-testing), which
 * let a protocol be tested end to end without a network, and a connection layered over another one
 * (TLS over a socket, say) is one too. It is the one transport interface of this package: every
 * {@link ByteStream} reads and writes through a connection, so an implementation of the abstract
 * methods gets line reads, exact reads, limits and partial-progress accounting from
 * {@link ByteStream#of(Connection)} without writing any of them.
 *
 * {@snippet :
 * static void echo(Connection client) throws IOException, CancelledException {
 *     ByteStream stream = client.asStream();
 *     stream.forEachLine(stream::write);
 * }
 * }
 *
 * <p><b>Partial progress.</b> {@link #recvInto(ByteBuffer)}, {@link #send(ByteBuffer)} and
 * {@link #sendAll(ByteBuffer)} advance the buffer's position by exactly what moved, so after a
 * cancellation or timeout the position tells how many bytes went or came.
 *
 * <p><b>Cancellation.</b> Methods that may wait declare {@link CancelledException}; it is thrown only
 * while the task waits (or yields), never after bytes moved in the same call.
 *
 * <p><b>Every task gets its turn.</b> Implementations draw on the calling task's cooperative budget
 * ({@link org.curio.traps.Traps#consumeBudget()}) once per receive or send, before moving any byte,
 * as {@link Socket} and {@code MemoryConnection} do; a connection built over one of them inherits it.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a connection; at most one task may
 * wait to receive, and one to send, at a time.
 */
public interface Connection extends AutoCloseable {
    /**
     * Suspends the calling task until some bytes arrive, and puts as many as fit into {@code dst},
     * advancing its position.
     *
     * @param dst where to put the bytes
     * @return the count; -1 at end of stream; 0 if {@code dst} has no room
     * @throws IOException        if the connection is closed or reset, or the transfer fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    int recvInto(ByteBuffer dst) throws IOException, CancelledException;

    /**
     * Suspends the calling task until some bytes arrive, and returns at most {@code maxBytes} of them.
     *
     * @param maxBytes the most to return; not negative
     * @return the bytes; empty at end of stream
     * @throws IOException        if the connection is closed or reset, or the transfer fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    default byte[] recv(int maxBytes) throws IOException, CancelledException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        ByteBuffer dst = ByteBuffer.allocate(maxBytes);
        int n = recvInto(dst);
        return n <= 0 ? new byte[0] : Arrays.copyOf(dst.array(), n);
    }

    /**
     * Suspends the calling task until some of {@code src} has been sent, advancing its position.
     *
     * @param src the bytes
     * @return the count sent; 0 if {@code src} is empty
     * @throws IOException        if the connection is closed, reset or shut down for output
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    int send(ByteBuffer src) throws IOException, CancelledException;

    /**
     * Suspends the calling task until all of {@code src} has been sent, advancing its position as
     * bytes go: after a failure, cancellation or timeout the position tells how many were sent.
     *
     * @param src the bytes
     * @throws IOException        if the connection is closed, reset or shut down for output
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    default void sendAll(ByteBuffer src) throws IOException, CancelledException {
        Objects.requireNonNull(src, "src");
        while (src.hasRemaining()) {
            send(src);
        }
    }

    /**
     * Suspends the calling task until all of {@code data} has been sent.
     *
     * @param data the bytes
     * @throws IOException        if the connection is closed, reset or shut down for output
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    default void sendAll(byte[] data) throws IOException, CancelledException {
        sendAll(ByteBuffer.wrap(Objects.requireNonNull(data, "data")));
    }

    /**
     * Shuts down the sending side (a half-close): the peer reads end of stream after the bytes already
     * sent, and this side can still receive. Never suspends.
     *
     * @throws IOException if the connection is closed
     */
    void shutdownOutput() throws IOException;

    /**
     * {@return this end's address}
     *
     * @throws IOException if the connection is closed
     */
    SocketAddress localAddress() throws IOException;

    /**
     * {@return the peer's address}
     *
     * @throws IOException if the connection is closed or was never connected
     */
    SocketAddress remoteAddress() throws IOException;

    /** {@return whether the connection is open} */
    boolean isOpen();

    /**
     * Fails if the connection is closed, with the exception its other calls throw then. Never suspends.
     * A buffered stream calls it where it answers without touching the connection ({@code read(0)},
     * {@code flush()}); implementations whose closed-state exception is more specific override it.
     *
     * @throws IOException if the connection is closed
     */
    default void checkOpen() throws IOException {
        if (!isOpen()) {
            throw new IOException("connection closed: " + this);
        }
    }

    /**
     * Throws away, without suspending, the bytes that have arrived and not been received yet, and
     * returns how many. For a protocol that ends a connection without reading the rest of the peer's
     * input: a TCP socket closed while unread bytes sit in its receive buffer resets the connection
     * instead of ending it (RFC 1122, 4.2.2.13), so the peer reads "connection reset" instead of end of
     * stream and may lose the last bytes this side sent; throwing them away just before
     * {@link #close()} makes the close an orderly end. Bytes that arrive after the call still reset it.
     * {@link Socket} discards at most 1 MiB; a connection whose close does not depend on unread input
     * keeps this default, which discards nothing. A task waiting to receive would lose the bytes, so
     * call it only when none does.
     *
     * @return how many bytes were thrown away
     * @throws IOException if the connection is closed, or the transport fails (a reset, say)
     */
    default long discardReceived() throws IOException {
        checkOpen();
        return 0;
    }

    /**
     * Closes the connection: a task of the kernel waiting on it wakes and fails with an
     * {@link IOException}, and the peer sees end of stream. Never suspends; does nothing if closed
     * already.
     */
    @Override
    void close();

    /**
     * {@return a buffered stream over this connection, the same one on every call} Closing it closes
     * the connection.
     */
    ByteStream asStream();
}
