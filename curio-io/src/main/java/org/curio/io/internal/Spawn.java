package org.curio.io.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.curio.io.internal.Native.errno;
import static org.curio.io.internal.Native.invoke;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import io.netty.channel.unix.FileDescriptor;
import org.curio.io.Connection;
import org.jspecify.annotations.Nullable;

/**
 * Starts a child process with {@code posix_spawnp(3)}, through {@code java.lang.foreign}: its standard
 * descriptors are pipes (non-blocking on our side, so tasks wait on them like sockets), inherited,
 * {@code /dev/null} or files; every other descriptor is closed in the child; its signal mask is empty
 * and every signal has its default disposition; by default it leads a new process group.
 *
 * <p>Restricted methods: without {@code --enable-native-access=org.curio.io} the JDK prints a warning
 * the first time one of these is used.
 */
public final class Spawn {
    /*
     * Implementation notes. glibc's posix_spawnp runs the file actions and the exec in a vfork-like
     * child and reports a failed exec as its return value, so "no such program" is an error of this
     * call, not an exit status. Pipes are made close-on-exec (pipe2 O_CLOEXEC), so a ProcessBuilder
     * running at the same time on another thread never inherits them; dup2 onto 0-2 clears the flag
     * for the child's copy only. O_NONBLOCK belongs to the open file description, shared by both
     * pipe ends' duplicates, so it is set only on the end we keep: the child gets blocking pipes, as
     * programs expect.
     *
     * Discussion: every other descriptor is closed in the child with addclosefrom_np (glibc 2.34 and
     * later); without it, each descriptor listed in /proc/self/fd at spawn time gets an explicit close
     * action. Netty creates its sockets without close-on-exec, so without this a child would inherit
     * the parent's listening sockets and keep their ports bound after the parent closed them.
     */
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0x40;
    private static final int O_TRUNC = 0x200;
    private static final int O_APPEND = 0x400;
    private static final int O_CLOEXEC = 0x80000;
    private static final short POSIX_SPAWN_SETPGROUP = 2;
    private static final short POSIX_SPAWN_SETSIGDEF = 4;
    private static final short POSIX_SPAWN_SETSIGMASK = 8;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int PIPE_SIZE = 1 << 20;
    private static final long FILE_ACTIONS_SIZE = 80;       // glibc x86_64; allocated with room to spare
    private static final long ATTR_SIZE = 336;
    private static final long SIGSET_SIZE = 128;

    private Spawn() {}

    /** What one of the child's standard descriptors is connected to. */
    public enum Kind {
        /** A new pipe whose other end the parent keeps. */
        PIPE,
        /** The parent's own descriptor. */
        INHERIT,
        /** {@code /dev/null}. */
        DISCARD,
        /** A file read from (stdin) or written from its start (stdout, stderr). */
        FILE,
        /** A file appended to. */
        APPEND,
        /** The child's stdout (for stderr only). */
        STDOUT
    }

    /**
     * One standard descriptor's setting.
     *
     * @param kind what it is connected to
     * @param path the file, for {@link Kind#FILE} and {@link Kind#APPEND}
     */
    public record Stdio(Kind kind, @Nullable Path path) {
        /** Checks that files have a path. */
        public Stdio {
            Objects.requireNonNull(kind, "kind");
            if ((kind == Kind.FILE || kind == Kind.APPEND) != (path != null)) {
                throw new IllegalArgumentException("a path goes with FILE and APPEND only: " + kind + ", " + path);
            }
        }
    }

    /**
     * What to start.
     *
     * @param argv     the program (looked up in {@code PATH} if it has no slash) and its arguments
     * @param cwd      the working directory, or null for ours
     * @param env      the environment, each entry {@code NAME=value}
     * @param stdio    stdin, stdout and stderr
     * @param newGroup whether the child leads a new process group
     */
    public record Request(List<String> argv, @Nullable Path cwd, List<String> env, List<Stdio> stdio,
                          boolean newGroup) {
        /** Checks the request. */
        public Request {
            argv = List.copyOf(argv);
            env = List.copyOf(env);
            stdio = List.copyOf(stdio);
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("the command is empty: give at least the program's name");
            }
            if (stdio.size() != 3) {
                throw new IllegalArgumentException("three settings needed (stdin, stdout, stderr): " + stdio);
            }
            if (stdio.get(0).kind() == Kind.STDOUT || stdio.get(1).kind() == Kind.STDOUT) {
                throw new IllegalArgumentException("only stderr can go to stdout: " + stdio);
            }
        }
    }

    /**
     * A started child.
     *
     * @param pid    its process id (and process group id, if it leads a new group)
     * @param stdin  the write end of its stdin pipe, or null
     * @param stdout the read end of its stdout pipe, or null
     * @param stderr the read end of its stderr pipe, or null
     */
    public record Child(int pid, @Nullable Connection stdin, @Nullable Connection stdout,
                        @Nullable Connection stderr) {}

    /** The downcall handles, created on first use. */
    @SuppressWarnings("restricted")             // needs --enable-native-access=org.curio.io, documented above
    private static final class Calls {
        static final Linker LINKER = Native.LINKER;
        static final MethodHandle PIPE2 = LINKER.downcallHandle(find("pipe2"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.captureCallState("errno"));
        static final MethodHandle FCNTL = LINKER.downcallHandle(find("fcntl"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
        static final MethodHandle FA_INIT = handle("posix_spawn_file_actions_init", ADDRESS);
        static final MethodHandle FA_DESTROY = handle("posix_spawn_file_actions_destroy", ADDRESS);
        static final MethodHandle FA_DUP2 = handle("posix_spawn_file_actions_adddup2", ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle FA_CLOSE = handle("posix_spawn_file_actions_addclose", ADDRESS, JAVA_INT);
        static final MethodHandle FA_OPEN = handle("posix_spawn_file_actions_addopen",
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle FA_CHDIR = handle("posix_spawn_file_actions_addchdir_np", ADDRESS, ADDRESS);
        static final @Nullable MethodHandle FA_CLOSEFROM = LINKER.defaultLookup()
                .find("posix_spawn_file_actions_addclosefrom_np")
                .map(a -> LINKER.downcallHandle(a, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)))
                .orElse(null);
        static final MethodHandle ATTR_INIT = handle("posix_spawnattr_init", ADDRESS);
        static final MethodHandle ATTR_DESTROY = handle("posix_spawnattr_destroy", ADDRESS);
        static final MethodHandle ATTR_FLAGS = handle("posix_spawnattr_setflags", ADDRESS, JAVA_SHORT);
        static final MethodHandle ATTR_MASK = handle("posix_spawnattr_setsigmask", ADDRESS, ADDRESS);
        static final MethodHandle ATTR_DEFAULT = handle("posix_spawnattr_setsigdefault", ADDRESS, ADDRESS);
        static final MethodHandle ATTR_PGROUP = handle("posix_spawnattr_setpgroup", ADDRESS, JAVA_INT);
        static final MethodHandle SIGEMPTY = handle("sigemptyset", ADDRESS);
        static final MethodHandle SIGFILL = handle("sigfillset", ADDRESS);
        static final MethodHandle SPAWNP = handle("posix_spawnp", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);

        static MemorySegment find(String name) {
            return LINKER.defaultLookup().find(name).orElseThrow(
                    () -> new UnsupportedOperationException("the C library has no " + name + "; subprocesses need glibc 2.29 or later"));
        }

        static MethodHandle handle(String name, MemoryLayout... args) {
            return LINKER.downcallHandle(find(name), FunctionDescriptor.of(JAVA_INT, args));
        }
    }

    /**
     * Starts a child.
     *
     * @param request what to start
     * @return the child, with the parent's ends of its pipes
     * @throws IOException if the program is missing or not executable, the working directory is not
     *                     a directory, a file cannot be opened, or the system refuses the spawn; the
     *                     message names the program and the reason
     */
    public static Child start(Request request) throws IOException {
        NativeFd.load();
        String program = request.argv().getFirst();
        if (request.cwd() != null && !Files.isDirectory(request.cwd())) {
            throw new IOException("cannot run " + program + ": working directory " + request.cwd()
                    + " is not a directory");
        }
        int[][] pipes = new int[3][];
        boolean done = false;
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < 3; i++) {
                if (request.stdio().get(i).kind() == Kind.PIPE) {
                    pipes[i] = pipe(arena);
                }
            }
            int pid = spawn(arena, request, pipes);
            Child child = new Child(pid,
                    pipes[0] == null ? null : FdConnection.writing(keep(pipes[0], 1), "stdin of pid " + pid),
                    pipes[1] == null ? null : FdConnection.reading(keep(pipes[1], 0), "stdout of pid " + pid),
                    pipes[2] == null ? null : FdConnection.reading(keep(pipes[2], 0), "stderr of pid " + pid));
            done = true;
            return child;
        } finally {
            for (int[] p : pipes) {
                if (p != null) {
                    for (int fd : p) {
                        if (fd >= 0 && !done) {
                            closeQuietly(fd);
                        }
                    }
                }
            }
        }
    }

    /** Closes the child's end of {@code pipe} and answers ours, made non-blocking; marks both used. */
    private static int keep(int[] pipe, int ours) throws IOException {
        int fd = pipe[ours];
        closeQuietly(pipe[1 - ours]);
        pipe[0] = -1;
        pipe[1] = -1;
        Libc.setNonBlocking(fd);
        return fd;
    }

    private static int spawn(Arena arena, Request request, int[][] pipes) throws IOException {
        MemorySegment actions = arena.allocate(FILE_ACTIONS_SIZE * 2, 16);
        MemorySegment attr = arena.allocate(ATTR_SIZE * 2, 16);
        check("posix_spawn_file_actions_init", (int) invoke(() -> (int) Calls.FA_INIT.invokeExact(actions)));
        try {
            check("posix_spawnattr_init", (int) invoke(() -> (int) Calls.ATTR_INIT.invokeExact(attr)));
            try {
                fileActions(arena, actions, request, pipes);
                attributes(arena, attr, request.newGroup());
                MemorySegment pid = arena.allocate(JAVA_INT);
                MemorySegment file = arena.allocateFrom(request.argv().getFirst());
                MemorySegment argv = strings(arena, request.argv());
                MemorySegment envp = strings(arena, request.env());
                int rc = (int) invoke(() -> (int) Calls.SPAWNP.invokeExact(pid, file, actions, attr, argv, envp));
                if (rc != 0) {
                    throw spawnFailure(request, rc);
                }
                return pid.get(JAVA_INT, 0);
            } finally {
                invoke(() -> (int) Calls.ATTR_DESTROY.invokeExact(attr));
            }
        } finally {
            invoke(() -> (int) Calls.FA_DESTROY.invokeExact(actions));
        }
    }

    private static void fileActions(Arena arena, MemorySegment actions, Request request, int[][] pipes)
            throws IOException {
        for (int target = 0; target < 3; target++) {
            Stdio s = request.stdio().get(target);
            int t = target;
            switch (s.kind()) {
                case PIPE -> dup2(actions, pipes[target][target == 0 ? 0 : 1], target);
                case INHERIT -> { }
                case DISCARD -> open(arena, actions, t, "/dev/null", t == 0 ? O_RDONLY : O_WRONLY);
                case FILE -> open(arena, actions, t, Objects.requireNonNull(s.path()).toString(),
                        t == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC);
                case APPEND -> open(arena, actions, t, Objects.requireNonNull(s.path()).toString(),
                        t == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_APPEND);
                case STDOUT -> dup2(actions, 1, 2);
            }
        }
        if (request.cwd() != null) {
            MemorySegment dir = arena.allocateFrom(request.cwd().toString());
            check("posix_spawn_file_actions_addchdir_np", (int) invoke(() -> (int) Calls.FA_CHDIR.invokeExact(actions, dir)));
        }
        closeOthers(actions);
    }

    private static void closeOthers(MemorySegment actions) throws IOException {
        MethodHandle closefrom = Calls.FA_CLOSEFROM;
        if (closefrom != null && !Boolean.getBoolean("org.curio.spawn.explicitCloses")) {
            check("posix_spawn_file_actions_addclosefrom_np", (int) invoke(() -> (int) closefrom.invokeExact(actions, 3)));
            return;
        }
        for (int fd : openDescriptors()) {
            if (fd > 2) {
                // a descriptor closed meanwhile makes the child's close fail with EBADF, which glibc ignores
                check("posix_spawn_file_actions_addclose", (int) invoke(() -> (int) Calls.FA_CLOSE.invokeExact(actions, fd)));
            }
        }
    }

    /** {@return the descriptors open in this process now} */
    private static int[] openDescriptors() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.map(p -> p.getFileName().toString())
                    .flatMap(n -> parse(n).stream())
                    .mapToInt(Integer::intValue)
                    .toArray();
        }
    }

    private static Optional<Integer> parse(String name) {
        try {
            return Optional.of(Integer.parseInt(name));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void attributes(Arena arena, MemorySegment attr, boolean newGroup) throws IOException {
        MemorySegment empty = arena.allocate(SIGSET_SIZE, 8);
        MemorySegment all = arena.allocate(SIGSET_SIZE, 8);
        invoke(() -> (int) Calls.SIGEMPTY.invokeExact(empty));
        invoke(() -> (int) Calls.SIGFILL.invokeExact(all));
        // Discussion: sigfillset leaves out glibc's own signals 32 and 33, and glibc's spawn sets them
        // to SIG_IGN in the child unless they are in this set, so the program would start with them
        // ignored (ProcessBuilder's children do). Bits 31 and 32 of the set's first word are they.
        all.set(JAVA_LONG, 0, all.get(JAVA_LONG, 0) | (3L << 31));
        short flags = (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newGroup ? POSIX_SPAWN_SETPGROUP : 0));
        check("posix_spawnattr_setflags", (int) invoke(() -> (int) Calls.ATTR_FLAGS.invokeExact(attr, flags)));
        check("posix_spawnattr_setsigmask", (int) invoke(() -> (int) Calls.ATTR_MASK.invokeExact(attr, empty)));
        check("posix_spawnattr_setsigdefault", (int) invoke(() -> (int) Calls.ATTR_DEFAULT.invokeExact(attr, all)));
        if (newGroup) {
            check("posix_spawnattr_setpgroup", (int) invoke(() -> (int) Calls.ATTR_PGROUP.invokeExact(attr, 0)));
        }
    }

    private static void dup2(MemorySegment actions, int from, int to) throws IOException {
        check("posix_spawn_file_actions_adddup2", (int) invoke(() -> (int) Calls.FA_DUP2.invokeExact(actions, from, to)));
    }

    private static void open(Arena arena, MemorySegment actions, int fd, String path, int flags) throws IOException {
        MemorySegment p = arena.allocateFrom(path);
        int rc = (int) invoke(() -> (int) Calls.FA_OPEN.invokeExact(actions, fd, p, flags, 0666));
        check("posix_spawn_file_actions_addopen", rc);
    }

    private static IOException spawnFailure(Request request, int errno) {
        String program = request.argv().getFirst();
        String why = switch (errno) {
            case 2 -> "no such file or directory" + (program.contains("/") ? "" : " (searched PATH)");
            case Errno.EACCES -> "permission denied (not executable, or a file redirect is not allowed)";
            case 8 -> "not an executable format";
            case Errno.EAGAIN -> "the process limit is reached (EAGAIN)";
            case Errno.ENOMEM -> "out of memory (ENOMEM)";
            default -> Errno.fromErrno("posix_spawnp", errno, null).getMessage();
        };
        return new IOException("cannot run " + program + ": " + why
                + (request.cwd() == null ? "" : " (working directory " + request.cwd() + ")"));
    }

    private static int[] pipe(Arena arena) throws IOException {
        MemorySegment state = arena.allocate(Native.STATE);
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        int rc = (int) invoke(() -> (int) Calls.PIPE2.invokeExact(state, fds, O_CLOEXEC));
        if (rc < 0) {
            throw Errno.fromErrno("pipe2", errno(state), null);
        }
        int[] pipe = {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        // Discussion: a larger pipe (1 MiB, the unprivileged maximum by default) means fewer wake-ups
        // per megabyte for a task streaming through a child; refused (a lower limit) is harmless.
        invoke(() -> (int) Calls.FCNTL.invokeExact(pipe[0], F_SETPIPE_SZ, PIPE_SIZE));
        return pipe;
    }

    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    private static void check(String call, int rc) throws IOException {
        if (rc != 0) {
            throw Errno.fromErrno(call, rc, null);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            new FileDescriptor(fd).close();
        } catch (IOException e) {
            // close(2) frees the number even when it reports an error
        }
    }


}
