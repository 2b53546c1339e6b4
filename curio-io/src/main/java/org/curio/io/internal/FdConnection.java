package org.curio.io.internal;

import java.io.IOException;
import java.io.Serial;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

import io.netty.channel.unix.FileDescriptor;
import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.traps.CancelledException;
import org.jspecify.annotations.Nullable;

/**
 * A non-blocking descriptor that is not a socket (a pipe end, a FIFO, a tty) seen as a
 * {@link Connection}, so that a {@code FileStream} or a child process's pipe is the same buffered
 * stream as any other.
 *
 * <p>A descriptor adopted with {@link #of(NativeFd)} goes both ways and has no addresses and no
 * half-close: those calls fail with an {@link IOException} naming the descriptor. A pipe end made
 * with {@link #reading(int, String)} or {@link #writing(int, String)} goes one way (the other
 * direction fails, naming the pipe), answers its name as both addresses, and on the write end
 * {@link #shutdownOutput()} closes it, so the reader sees end of input.
 */
public final class FdConnection implements Connection {
    private enum Way { BOTH, READ, WRITE }

    private final NativeFd fd;
    private final Way way;
    private final @Nullable PipeAddress name;
    private @Nullable ByteStream stream;                 // created on first asStream()

    private FdConnection(NativeFd fd, Way way, @Nullable String name) {
        this.fd = fd;
        this.way = way;
        this.name = name == null ? null : new PipeAddress(name);
    }

    /**
     * Adopts a descriptor that reads and writes, such as a tty or a FIFO opened for both.
     *
     * @param fd the non-blocking descriptor, owned by the connection from now on
     * @return the connection
     */
    public static FdConnection of(NativeFd fd) {
        return new FdConnection(Objects.requireNonNull(fd, "fd"), Way.BOTH, null);
    }

    /**
     * Adopts the read end of a pipe.
     *
     * @param fd   the non-blocking descriptor, owned by the connection from now on
     * @param name what errors and addresses call it, such as {@code "stdout of pid 42"}
     * @return the connection
     */
    public static FdConnection reading(int fd, String name) {
        return new FdConnection(NativeFd.ofFile(new FileDescriptor(fd)), Way.READ, Objects.requireNonNull(name, "name"));
    }

    /**
     * Adopts the write end of a pipe.
     *
     * @param fd   the non-blocking descriptor, owned by the connection from now on
     * @param name what errors and addresses call it, such as {@code "stdin of pid 42"}
     * @return the connection
     */
    public static FdConnection writing(int fd, String name) {
        return new FdConnection(NativeFd.ofFile(new FileDescriptor(fd)), Way.WRITE, Objects.requireNonNull(name, "name"));
    }

    /** {@return the descriptor number, or -1 once closed} */
    public int fd() {
        return fd.fd();
    }

    @Override
    public int recvInto(ByteBuffer dst) throws IOException, CancelledException {
        Objects.requireNonNull(dst, "dst");
        refuse(Way.WRITE, "read from", "write");
        return fd.read(dst);
    }

    @Override
    public byte[] recv(int maxBytes) throws IOException, CancelledException {
        refuse(Way.WRITE, "read from", "write");
        return fd.readBytes(maxBytes);
    }

    @Override
    public int send(ByteBuffer src) throws IOException, CancelledException {
        Objects.requireNonNull(src, "src");
        refuse(Way.READ, "write to", "read");
        return fd.write(src);
    }

    @Override
    public void sendAll(ByteBuffer src) throws IOException, CancelledException {
        Objects.requireNonNull(src, "src");
        refuse(Way.READ, "write to", "read");
        fd.writeAll(src);
    }

    private void refuse(Way wrong, String doing, String end) throws IOException {
        if (way == wrong) {
            throw new IOException("cannot " + doing + " " + name + ": it is the " + end + " end of a pipe");
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (way != Way.WRITE) {
            refuse(Way.READ, "shut down output of", "read");
            throw notASocket("shutdownOutput");
        }
        fd.ensureOpen();
        fd.close();
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        return address("localAddress");
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        return address("remoteAddress");
    }

    private SocketAddress address(String call) throws IOException {
        if (name == null) {
            throw notASocket(call);
        }
        fd.ensureOpen();
        return name;
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

    @Override
    public String toString() {
        return name == null ? fd.toString() : "Pipe[" + name + ", " + fd + "]";
    }

    /** A pipe's name, answered as its address. */
    private static final class PipeAddress extends SocketAddress {
        @Serial private static final long serialVersionUID = 1L;
        private final String name;

        PipeAddress(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
