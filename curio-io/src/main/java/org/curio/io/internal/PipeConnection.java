package org.curio.io.internal;

import java.io.IOException;
import java.io.Serial;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

import io.netty.channel.unix.FileDescriptor;
import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.traps.CancelledException;
import org.jspecify.annotations.Nullable;

/**
 * One end of a pipe (a child's stdin, stdout or stderr) as a {@link Connection}: the read end receives,
 * the write end sends; {@link #shutdownOutput()} on the write end closes it, so the child reads end of
 * input. The descriptor must be non-blocking; the kernel waits on it like a socket.
 */
public final class PipeConnection implements Connection {
    private final NativeFd fd;
    private final boolean writing;
    private final PipeAddress address;
    private @Nullable ByteStream stream;                 // created on first asStream()

    private PipeConnection(int fd, boolean writing, String name) {
        this.fd = NativeFd.ofFile(new FileDescriptor(fd));
        this.writing = writing;
        this.address = new PipeAddress(name);
    }

    /**
     * Wraps the read end of a pipe.
     *
     * @param fd   the descriptor, non-blocking
     * @param name what the pipe is, for messages (for example "stdout of pid 12")
     * @return the connection, which owns the descriptor
     */
    public static PipeConnection reading(int fd, String name) {
        return new PipeConnection(fd, false, name);
    }

    /**
     * Wraps the write end of a pipe.
     *
     * @param fd   the descriptor, non-blocking
     * @param name what the pipe is, for messages (for example "stdin of pid 12")
     * @return the connection, which owns the descriptor
     */
    public static PipeConnection writing(int fd, String name) {
        return new PipeConnection(fd, true, name);
    }

    @Override
    public int recvInto(ByteBuffer dst) throws IOException, CancelledException {
        if (writing) {
            throw new IOException("cannot read from " + address + ": it is the write end of a pipe");
        }
        return fd.read(dst);
    }

    @Override
    public int send(ByteBuffer src) throws IOException, CancelledException {
        if (!writing) {
            throw new IOException("cannot write to " + address + ": it is the read end of a pipe");
        }
        return fd.write(src);
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (!writing) {
            throw new IOException("cannot shut down output of " + address + ": it is the read end of a pipe");
        }
        fd.ensureOpen();
        fd.close();
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        fd.ensureOpen();
        return address;
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        fd.ensureOpen();
        return address;
    }

    @Override
    public boolean isOpen() {
        return fd.isOpen();
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
        return "Pipe[" + address + ", " + fd + "]";
    }

    /** A pipe's name, standing in for an address. */
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
