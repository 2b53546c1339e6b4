package org.curio.io.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.curio.io.internal.Native.errno;
import static org.curio.io.internal.Native.invoke;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.OptionalInt;

import io.netty.channel.unix.FileDescriptor;

/**
 * The system calls that follow a child after {@link Spawn}: {@code pidfd_open(2)} (a descriptor
 * that becomes readable when the child exits, so the kernel waits for an exit as for a socket),
 * {@code waitid(2)} on one pid only (never "any child": the JDK reaps its own children), and
 * {@code kill(2)}.
 *
 * <p>Restricted methods: without {@code --enable-native-access=org.curio.io} the JDK prints a warning
 * the first time one of these is used.
 */
public final class Pidfd {
    /*
     * Implementation notes. A child we have not reaped keeps its pid, so waitid(P_PID) and kill(pid)
     * cannot reach another process; once reaped, the pid is never used again by these calls. The exit
     * status is read from siginfo_t (x86_64: si_code at 8, si_pid at 16, si_status at 24); with
     * WNOHANG a child still running leaves si_pid 0.
     */
    private static final long SYS_PIDFD_OPEN = 434;
    private static final int P_PID = 1;
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int CLD_EXITED = 1;
    private static final int ECHILD = 10;
    private static final int ESRCH = 3;
    private static final int ENOSYS = 38;
    private static final long SIGINFO_SIZE = 128;

    private Pidfd() {}

    /** The downcall handles, created on first use. */
    @SuppressWarnings("restricted")             // needs --enable-native-access=org.curio.io, documented above
    private static final class Calls {
        static final Linker LINKER = Native.LINKER;
        static final MethodHandle SYSCALL = LINKER.downcallHandle(
                LINKER.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        static final MethodHandle WAITID = LINKER.downcallHandle(
                LINKER.defaultLookup().find("waitid").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
                Linker.Option.captureCallState("errno"));
        static final MethodHandle KILL = LINKER.downcallHandle(
                LINKER.defaultLookup().find("kill").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT),
                Linker.Option.captureCallState("errno"));
    }

    /**
     * Opens a pidfd for {@code pid}, wrapped for the kernel's readiness waits (readable = exited).
     *
     * @param pid a child of this process, not yet reaped
     * @return the descriptor, or empty if the system refuses pidfds (old kernel, seccomp filter)
     * @throws IOException if the call fails otherwise (for example, no descriptors left)
     */
    public static java.util.Optional<NativeFd> open(int pid) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.STATE);
            long fd = (long) invoke(() -> (long) Calls.SYSCALL.invokeExact(state, SYS_PIDFD_OPEN, pid, 0));
            if (fd < 0) {
                int errno = errno(state);
                if (errno == ENOSYS || errno == Errno.EPERM || errno == Errno.EINVAL) {
                    return java.util.Optional.empty();
                }
                throw Errno.fromErrno("pidfd_open", errno, null);
            }
            return java.util.Optional.of(NativeFd.ofFile(new FileDescriptor((int) fd)));
        }
    }

    /**
     * Reaps {@code pid} if it has exited, without waiting.
     *
     * @param pid a child of this process
     * @return its status (exit code, or minus the number of the signal that killed it), or empty if it
     *         is still running
     * @throws IOException if it is not our child, or was reaped already
     */
    public static OptionalInt reap(int pid) throws IOException {
        return waitid(pid, WEXITED | WNOHANG);
    }

    /**
     * Blocks the calling thread until {@code pid} has exited, and reaps it.
     *
     * @param pid a child of this process
     * @return its status, as {@link #reap}
     * @throws IOException if it is not our child, or was reaped already
     */
    public static int reapBlocking(int pid) throws IOException {
        return waitid(pid, WEXITED).orElseThrow();
    }

    /**
     * Blocks the calling thread until {@code pid} has exited, and leaves it to be reaped.
     *
     * @param pid a child of this process
     * @throws IOException if it is not our child, or was reaped already
     */
    public static void awaitExitBlocking(int pid) throws IOException {
        waitid(pid, WEXITED | WNOWAIT);
    }

    private static OptionalInt waitid(int pid, int options) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.STATE);
            MemorySegment info = arena.allocate(SIGINFO_SIZE, 8);
            while (true) {
                int rc = (int) invoke(() -> (int) Calls.WAITID.invokeExact(state, P_PID, pid, info, options));
                if (rc == 0) {
                    break;
                }
                int errno = errno(state);
                if (errno != Errno.EINTR) {
                    throw errno == ECHILD ? new IOException("pid " + pid + " is not a child of this process"
                            + " waiting to be reaped (ECHILD)") : Errno.fromErrno("waitid", errno, null);
                }
            }
            if (info.get(JAVA_INT, 16) == 0) {
                return OptionalInt.empty();
            }
            int code = info.get(JAVA_INT, 8);
            int status = info.get(JAVA_INT, 24);
            return OptionalInt.of(code == CLD_EXITED ? status : -status);
        }
    }

    /**
     * Sends {@code signal} to {@code pid}, or to the process group {@code -pid} if negative.
     *
     * @param pid    the process, or minus the process group
     * @param signal the signal's number
     * @return false if there is no such process (or group) any more
     * @throws IOException if the call is refused (EPERM) or the signal is invalid
     */
    public static boolean kill(int pid, int signal) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.STATE);
            int rc = (int) invoke(() -> (int) Calls.KILL.invokeExact(state, pid, signal));
            if (rc == 0) {
                return true;
            }
            int errno = errno(state);
            if (errno == ESRCH) {
                return false;
            }
            throw Errno.fromErrno("kill(" + pid + ", " + signal + ")", errno, null);
        }
    }

    private static int errno(MemorySegment state) {
        return errno(state);
    }


}
