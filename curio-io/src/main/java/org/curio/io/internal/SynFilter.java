package org.curio.io.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.curio.io.internal.Native.errno;
import static org.curio.io.internal.Native.invoke;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Makes a listening TCP socket ignore new connection attempts while it goes on completing the
 * handshakes already under way: a classic BPF socket filter ({@code SO_ATTACH_FILTER}) that drops
 * every segment with SYN set and ACK clear and lets everything else through.
 *
 * <p>A server that stops uses it before it drains its accept queue: closing a listener resets every
 * connection still queued on it, and with the filter in place no new connection can join the queue
 * between the last {@code accept} and the {@code close}. A client whose SYN was dropped retransmits
 * it after a second; by then the listener is closed and the client is refused (or, with
 * {@code SO_REUSEPORT}, served by another listener of the port), never reset after connecting.
 */
public final class SynFilter {
    /*
     * Implementation notes. For a TCP socket the filter sees the segment from its TCP header (the IP
     * header is already pulled), so byte 13 holds the flags. The program:
     *   ldb [13]; and #0x12 (SYN|ACK); jeq #0x02 (SYN only), drop, keep; drop: ret #0; keep: ret #-1
     * The handshake's final ACK passes, so a request already answered with SYN-ACK still completes
     * and lands in the accept queue, where the drain finds it.
     */
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_FILTER = 26;
    private static final short[] CODES = {0x30, 0x54, 0x15, 0x06, 0x06};
    private static final byte[] JT = {0, 0, 0, 0, 0};
    private static final byte[] JF = {0, 0, 1, 0, 0};
    private static final int[] KS = {13, 0x12, 0x02, 0, -1};

    private SynFilter() {}

    /** The downcall handle, created on first use. */
    @SuppressWarnings("restricted")             // needs --enable-native-access=org.curio.io, as Libc does
    private static final class Calls {
        static final Linker LINKER = Native.LINKER;
        static final MethodHandle SETSOCKOPT = LINKER.downcallHandle(
                LINKER.defaultLookup().find("setsockopt").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
                Linker.Option.captureCallState("errno"));
    }

    /**
     * Attaches the filter to the listening socket {@code fd}. Any thread; never blocks.
     *
     * @param fd a listening TCP socket
     * @throws IOException if the system refuses (for example, the descriptor is closed)
     */
    public static void dropNewConnections(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.STATE);
            MemorySegment program = arena.allocate(8L * CODES.length, 8);
            for (int i = 0; i < CODES.length; i++) {
                long at = 8L * i;                                  // struct sock_filter {u16 code; u8 jt, jf; u32 k}
                program.set(JAVA_SHORT, at, CODES[i]);
                program.set(JAVA_BYTE, at + 2, JT[i]);
                program.set(JAVA_BYTE, at + 3, JF[i]);
                program.set(JAVA_INT, at + 4, KS[i]);
            }
            MemorySegment fprog = arena.allocate(16, 8);          // struct sock_fprog {u16 len; filter *}
            fprog.set(JAVA_SHORT, 0, (short) CODES.length);
            fprog.set(ADDRESS, 8, program);
            int rc = (int) invoke(() -> (int) Calls.SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_ATTACH_FILTER,
                    fprog, (int) fprog.byteSize()));
            if (rc < 0) {
                throw Errno.fromErrno("setsockopt SO_ATTACH_FILTER", errno(state), null);
            }
        }
    }
}
