package org.curio.io;

import java.io.IOException;
import java.util.Objects;

import io.netty.channel.unix.FileDescriptor;
import org.curio.io.internal.FdConnection;
import org.curio.io.internal.Libc;
import org.curio.io.internal.NativeFd;

/**
 * A buffered stream over a non-blocking descriptor that is not a socket: a pipe, a FIFO, a tty. It is
 * the same {@link ByteStream} as a socket's, over a connection that reads and writes the descriptor
 * (which has no addresses and no half-close). See {@link ByteStream} for reading, writing and partial
 * progress. Regular files work too (they never
 * report would-block, so each call may briefly block the kernel); use {@link AsyncFile} for them.
 * Curio: {@code FileStream}.
 *
 * {@snippet :
 * try (FileStream.Pipe pipe = FileStream.pipe()) {
 *     pipe.sink().write("hello\n".getBytes(StandardCharsets.US_ASCII));
 *     byte[] line = pipe.source().readLine();
 * }
 * }
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a stream.
 */
public final class FileStream extends ByteStream {
    /**
     * The two ends of a pipe, from {@link #pipe()}; closing the pair closes both.
     *
     * @param source the read end
     * @param sink   the write end
     */
    public record Pipe(FileStream source, FileStream sink) implements AutoCloseable {
        /** Checks the components. */
        public Pipe {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(sink, "sink");
        }

        /** Closes both ends. Never suspends. */
        @Override
        public void close() {
            source.close();
            sink.close();
        }
    }

    private final FdConnection fd;

    private FileStream(NativeFd fd) {
        this(FdConnection.of(fd));
    }

    private FileStream(FdConnection fd) {
        super(fd);
        this.fd = fd;
    }

    /**
     * Adopts an open descriptor, which the stream then owns (closing the stream closes it), and puts
     * it in non-blocking mode. Never suspends.
     *
     * @param fd the descriptor
     * @return the stream
     * @throws IOException if {@code fd} is not open
     */
    public static FileStream open(int fd) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("fd must not be negative: " + fd);
        }
        NativeFd.load();
        Libc.setNonBlocking(fd);
        return new FileStream(NativeFd.ofFile(new FileDescriptor(fd)));
    }

    /**
     * Creates a pipe whose ends are non-blocking streams. Never suspends.
     *
     * @return the pipe
     * @throws IOException if the system refuses (for example, no descriptors left)
     */
    public static Pipe pipe() throws IOException {
        NativeFd.load();
        FileDescriptor[] ends = NativeFd.make("pipe", null, FileDescriptor::pipe);
        return new Pipe(new FileStream(NativeFd.ofFile(ends[0])), new FileStream(NativeFd.ofFile(ends[1])));
    }

    /** {@return the descriptor number, or -1 once closed} Curio: {@code fileno()}. */
    public int fd() {
        return fd.fd();
    }
}
