package org.curio.io.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.curio.io.internal.Native.errno;
import static org.curio.io.internal.Native.invoke;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The two system calls Netty's unix transport lacks, made through {@code java.lang.foreign}:
 * {@code socketpair(2)} and {@code fcntl(2)} (to make an adopted descriptor non-blocking).
 *
 * <p>Restricted methods: without {@code --enable-native-access=org.curio.io} the JDK prints a warning
 * the first time one of these is used.
 */
public final class Libc {
    /*
     * Implementation notes. The handles live in a holder class, so the foreign linker is touched
     * only by the calls that need it (socket pairs, adopted descriptors), never by ordinary sockets.
     * Constants are Linux's (this module needs Netty's native epoll, hence Linux).
     */
    /** Address family of Unix-domain sockets. */
    public static final int AF_UNIX = 1;
    /** Stream socket type. */
    public static final int SOCK_STREAM = 1;
    /** Datagram socket type. */
    public static final int SOCK_DGRAM = 2;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int O_NONBLOCK = 0x800;

    private Libc() {}

    /** The downcall handles, created on first use. */
    @SuppressWarnings("restricted")             // needs --enable-native-access=org.curio.io, documented above
    private static final class Calls {
        static final Linker LINKER = Native.LINKER;
        static final MethodHandle FCNTL = LINKER.downcallHandle(
                LINKER.defaultLookup().find("fcntl").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
        static final MethodHandle SOCKETPAIR = LINKER.downcallHandle(
                LINKER.defaultLookup().find("socketpair").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
                Linker.Option.captureCallState("errno"));
    }

    /**
     * Creates a connected pair of non-blocking, close-on-exec Unix-domain sockets.
     *
     * @param type {@link #SOCK_STREAM} or {@link #SOCK_DGRAM}
     * @return the two descriptors
     * @throws IOException if the call fails (for example, no descriptors left)
     */
    public static int[] socketpair(int type) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.STATE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int rc = (int) invoke(() -> (int) Calls.SOCKETPAIR.invokeExact(state, AF_UNIX,
                    type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds));
            if (rc < 0) {
                throw Errno.fromErrno("socketpair", errno(state), null);
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /**
     * Puts {@code fd} in non-blocking mode.
     *
     * @param fd the descriptor
     * @throws IOException if the descriptor is not open
     */
    public static void setNonBlocking(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.STATE);
            int flags = (int) invoke(() -> (int) Calls.FCNTL.invokeExact(state, fd, F_GETFL, 0));
            if (flags < 0) {
                throw Errno.fromErrno("fcntl", errno(state), null);
            }
            if ((flags & O_NONBLOCK) != 0) {
                return;
            }
            int rc = (int) invoke(() -> (int) Calls.FCNTL.invokeExact(state, fd, F_SETFL, flags | O_NONBLOCK));
            if (rc < 0) {
                throw Errno.fromErrno("fcntl", errno(state), null);
            }
        }
    }

    private static int errno(MemorySegment state) {
        return errno(state);
    }


}
