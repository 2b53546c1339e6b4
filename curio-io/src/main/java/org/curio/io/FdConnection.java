package org.curio.io;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

import org.curio.io.internal.NativeFd;
import org.curio.traps.CancelledException;
import org.jspecify.annotations.Nullable;

/**
 * A non-blocking descriptor that is not a socket (a pipe end, a FIFO, a tty) seen as a
 * {@link Connection}, so that a {@link FileStream} is the same buffered stream as any other. It has
 * no addresses and no half-close: those calls fail with an {@link IOException} naming the descriptor.
 */
final class FdConnection implements Connection {
    private final NativeFd fd;
    private @Nullable ByteStream stream;

    FdConnection(NativeFd fd) {
        this.fd = fd;
    }

    /** {@return the descriptor number, or -1 once closed} */
    int fd() {
        return fd.fd();
    }

    @Override
    public int recvInto(ByteBuffer dst) throws IOException, CancelledException {
        return fd.read(Objects.requireNonNull(dst, "dst"));
    }

    @Override
    public byte[] recv(int maxBytes) throws IOException, CancelledException {
        return fd.readBytes(maxBytes);
    }

    @Override
    public int send(ByteBuffer src) throws IOException, CancelledException {
        return fd.write(Objects.requireNonNull(src, "src"));
    }

    @Override
    public void sendAll(ByteBuffer src) throws IOException, CancelledException {
        fd.writeAll(Objects.requireNonNull(src, "src"));
    }

    @Override
    public void shutdownOutput() throws IOException {
        throw notASocket("shutdownOutput");
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        throw notASocket("localAddress");
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        throw notASocket("remoteAddress");
    }

    private IOException notASocket(String call) throws IOException {
        fd.ensureOpen();
        return new IOException(call + " needs a socket, and " + fd + " is a pipe, FIFO or tty; close it instead");
    }

    @Override
    public boolean isOpen() {
        return fd.isOpen();
    }

    @Override
    public void checkOpen() throws IOException {
        fd.ensureOpen();
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public ByteStream asStream() {
        if (stream == null) {
            stream = ByteStream.of(this);
        }
        return stream;
    }

    /** {@return the descriptor, such as {@code fd=5}} */
    @Override
    public String toString() {
        return fd.toString();
    }
}
