package org.curio.workers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.io.internal.NativeFd;
import org.curio.io.internal.Pidfd;
import org.curio.io.internal.Spawn;
import org.curio.kernel.Cancellation;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;
import org.curio.workers.internal.Children;
import org.curio.workers.internal.WorkerRecording;
import org.jspecify.annotations.Nullable;

/**
 * A child process started by a task, with its stdin, stdout and stderr as streams the task reads and
 * writes without blocking the kernel, and its exit as an event the kernel waits for like a readable
 * socket. Curio: {@code curio.subprocess.Popen}, {@code run} and {@code check_output}.
 *
 * {@snippet :
 * byte[] listing = Subprocess.command("ls", "-l").checkOutput();
 *
 * Subprocess p = Subprocess.command("sort").start();
 * Subprocess.Output out = p.communicate("b\na\n".getBytes());   // feeds stdin and reads both outputs
 * int status = p.waitFor();                                    // 0
 * }
 *
 * <p><b>Spawning.</b> On Linux, through {@code posix_spawnp}: the child's standard streams are pipes
 * (non-blocking on our side), the parent's own, {@code /dev/null} or files ({@link Redirect}); every
 * other descriptor is closed in the child, so it inherits no socket of ours; its signal mask is empty
 * and every signal has its default action; it leads a new process group unless told otherwise. The
 * exit is watched through a {@code pidfd}; where the system refuses pidfds, one waiting thread per
 * child stands in. Only our own children are reaped, one pid at a time. A missing program, a working
 * directory that is not one, or a refused spawn is an {@link IOException} that names it.
 *
 * <p><b>Exit status.</b> {@link #waitFor()} and {@link #poll()} answer the exit code, or minus the
 * number of the signal that ended the child (as Python does): -9 after {@link #kill()}.
 *
 * <p><b>Cancellation.</b> {@link #waitFor()} and the stream operations are cancellation points that
 * leave the child running. {@link #communicate} attaches the output read so far to the cancellation
 * ({@link PartialOutput}). {@link Builder#run} and {@link Builder#checkOutput} deliver a cancellation
 * or timeout to the child and its process group as the builder's {@link CancelDelivery} says (SIGKILL
 * by default) and reap it before the exception leaves. When the kernel closes, it kills (SIGKILL, to
 * the group) and reaps every child still running, unless {@linkplain #detach() detached}.
 *
 * <p><b>Thread safety.</b> Only tasks of the kernel that started the child may use it.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/subprocess.py">curio's subprocess</a>
 */
public final class Subprocess {
    /*
     * Implementation notes. The exit is one readiness wait on the pidfd, then waitid(P_PID, WNOHANG)
     * reaps; the pidfd is closed at the reap. Without a pidfd, a platform thread blocks in waitid with
     * WNOWAIT (it does not reap, so the pid stays ours for kill()) and completes a future the task
     * waits for. A child that was never reaped is in the kernel's Children resource, which kills and
     * reaps it when the kernel closes.
     */
    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;
    private static final int CHUNK = 64 * 1024;
    static volatile boolean forceWaiterThread = Boolean.getBoolean("org.curio.subprocess.waiterThread");

    private final List<String> args;
    private final int pid;
    private final boolean groupLeader;
    private final @Nullable Connection stdin;
    private final @Nullable Connection stdout;
    private final @Nullable Connection stderr;
    private @Nullable NativeFd pidfd;                     // until reaped or detached
    private final @Nullable CompletableFuture<Void> exited;   // the waiter thread's, without a pidfd
    private final @Nullable Children registry;            // null once reaped or detached
    private final CancelDelivery delivery;
    private final Children.Child handle;                  // this child's entry in the registry
    private @Nullable Integer returnCode;
    private @Nullable Object exitRecord;                  // its JFR exit event while one is being recorded

    private Subprocess(Builder b, Spawn.Child child, @Nullable NativeFd pidfd, Children registry) {
        this.args = List.copyOf(b.command);
        this.pid = child.pid();
        this.groupLeader = b.newProcessGroup;
        this.stdin = child.stdin();
        this.stdout = child.stdout();
        this.stderr = child.stderr();
        this.pidfd = pidfd;
        this.delivery = b.delivery;
        this.registry = registry;
        this.exited = pidfd == null ? startWaiter(pid) : null;
        this.handle = this::killAndReap;          // a method reference is a new object each time: keep one
        registry.add(handle);
        this.exitRecord = WorkerRecording.spawned(pid, args.isEmpty() ? "" : args.getFirst());
    }

    /**
     * {@return a builder for the command {@code command}}
     *
     * @param command the program (looked up in {@code PATH} unless it has a slash) and its arguments
     */
    public static Builder command(String... command) {
        return new Builder(List.of(command));
    }

    /**
     * {@return a builder for the command {@code command}}
     *
     * @param command the program (looked up in {@code PATH} unless it has a slash) and its arguments
     */
    public static Builder command(List<String> command) {
        return new Builder(command);
    }

    /** {@return the child's process id (also its process group's, unless started in ours)} */
    public long pid() {
        return pid;
    }

    /** {@return the command} */
    public List<String> args() {
        return args;
    }

    /**
     * {@return the stream that writes to the child's stdin}
     *
     * @throws IllegalStateException if stdin is not a {@link Redirect#PIPE}
     */
    public ByteStream stdin() {
        return pipe(stdin, "stdin").asStream();
    }

    /**
     * {@return the stream that reads the child's stdout}
     *
     * @throws IllegalStateException if stdout is not a {@link Redirect#PIPE}
     */
    public ByteStream stdout() {
        return pipe(stdout, "stdout").asStream();
    }

    /**
     * {@return the stream that reads the child's stderr}
     *
     * @throws IllegalStateException if stderr is not a {@link Redirect#PIPE}
     */
    public ByteStream stderr() {
        return pipe(stderr, "stderr").asStream();
    }

    private Connection pipe(@Nullable Connection c, String name) {
        if (c == null) {
            throw new IllegalStateException(name + " of " + this + " is not a pipe; start it with " + name
                    + "(Redirect.PIPE)");
        }
        return c;
    }

    /**
     * Reaps the child if it has exited. Never suspends.
     *
     * @return its status (exit code, or minus the signal's number), or empty while it runs
     * @throws IOException if the system call fails
     */
    public OptionalInt poll() throws IOException {
        if (returnCode == null) {
            OptionalInt status = Pidfd.reap(pid);
            if (status.isEmpty()) {
                return status;
            }
            reaped(status.getAsInt());
        }
        return OptionalInt.of(Objects.requireNonNull(returnCode));
    }

    /**
     * Suspends the calling task until the child exits, and reaps it. A cancellation leaves the child
     * running.
     *
     * @return its status: the exit code, or minus the number of the signal that ended it
     * @throws IOException        if the system call fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public int waitFor() throws IOException, CancelledException {
        while (true) {
            OptionalInt status = poll();
            if (status.isPresent()) {
                return status.getAsInt();
            }
            if (pidfd != null) {
                pidfd.await(NativeFd.Ready.READABLE);
            } else {
                awaitWaiter();
            }
        }
    }

    private void awaitWaiter() throws IOException, CancelledException {
        try {
            Curio.awaitFuture(Objects.requireNonNull(exited, "exited"));
        } catch (ExecutionException e) {
            throw new IOException("waiting for pid " + pid + " failed", e.getCause());
        }
    }

    private void reaped(int status) {
        returnCode = status;
        Object record = exitRecord;
        exitRecord = null;
        WorkerRecording.exited(record, status);
        closePidfd();
        if (registry != null) {
            registry.remove(handle);
        }
    }

    private void closePidfd() {
        NativeFd fd = pidfd;
        if (fd != null) {
            pidfd = null;
            fd.close();
            Children.pidfdClosed();
        }
    }

    /**
     * Sends {@code signal} to the child; does nothing once it has been reaped. Never suspends.
     *
     * @param signal the signal's number (for example 1 for SIGHUP)
     * @throws IOException if the system refuses
     */
    public void sendSignal(int signal) throws IOException {
        if (returnCode == null) {
            Pidfd.kill(pid, signal);
        }
    }

    /**
     * Sends {@code signal} to the child. Never suspends.
     *
     * @param signal the signal
     * @throws IOException if the system refuses
     */
    public void sendSignal(Signal signal) throws IOException {
        sendSignal(signal.number());
    }

    /**
     * Sends {@code signal} to the child's process group (the child and whatever it started), if the
     * child leads one; else to the child only. Never suspends.
     *
     * @param signal the signal's number
     * @throws IOException if the system refuses
     */
    public void sendSignalToGroup(int signal) throws IOException {
        if (groupLeader) {
            Pidfd.kill(-pid, signal);               // the group outlives its reaped leader while members remain
        } else {
            sendSignal(signal);
        }
    }

    /**
     * Sends SIGTERM to the child. Never suspends.
     *
     * @throws IOException if the system refuses
     */
    public void terminate() throws IOException {
        sendSignal(SIGTERM);
    }

    /**
     * Sends SIGKILL to the child. Never suspends.
     *
     * @throws IOException if the system refuses
     */
    public void kill() throws IOException {
        sendSignal(SIGKILL);
    }

    /**
     * What a child wrote to its output pipes.
     *
     * @param stdout its stdout (empty if not a pipe)
     * @param stderr its stderr (empty if not a pipe)
     */
    public record Output(byte[] stdout, byte[] stderr) {
        @Override
        public String toString() {
            return "Output[stdout=" + stdout.length + " bytes, stderr=" + stderr.length + " bytes]";
        }
    }

    /**
     * Suspends the calling task while it feeds {@code input} to the child's stdin (then closes it) and
     * reads stdout and stderr to their end, all at once (so a large input to a child that writes as it
     * reads cannot deadlock), then waits for the child to exit. A child that stops reading stdin early
     * ends the feeding quietly. The pipes are closed once fed or read to their end.
     * Curio: {@code Popen.communicate}.
     *
     * @param input the bytes for stdin; must be empty unless stdin is a pipe
     * @return the output
     * @throws IOException        if reading fails
     * @throws CancelledException if the task is cancelled or times out; the output read so far is
     *                            attached ({@link PartialOutput#of}); the child keeps running
     */
    public Output communicate(byte[] input) throws IOException, CancelledException {
        Objects.requireNonNull(input, "input");
        if (input.length > 0 && stdin == null) {
            throw new IllegalStateException("cannot feed " + input.length + " bytes: stdin of " + this
                    + " is not a pipe");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            List<Throwable> failures = new ArrayList<>();
            try (TaskGroup<Object> group = TaskGroup.open()) {
                if (stdin != null) {
                    group.spawn(() -> feed(stdin, input));
                }
                if (stdout != null) {
                    group.spawn(() -> drain(stdout, out));
                }
                if (stderr != null) {
                    group.spawn(() -> drain(stderr, err));
                }
                group.join();
                group.exceptions().forEach(e -> e.ifPresent(failures::add));
            }
            if (!failures.isEmpty()) {
                throw failures.getFirst() instanceof IOException io ? io
                        : new IOException("communicating with " + this + " failed", failures.getFirst());
            }
            waitFor();
            return new Output(out.toByteArray(), err.toByteArray());
        } catch (CancelledException e) {
            e.addSuppressed(new PartialOutput(out.toByteArray(), err.toByteArray()));
            throw e;
        }
    }

    private static void feed(Connection in, byte[] input) throws CancelledException {
        try {
            in.sendAll(input);
        } catch (IOException e) {
            // Discussion: a child that exits or closes stdin before reading everything (head, grep -q)
            // is normal; its output and status tell the story, as in curio and Python.
        } finally {
            in.close();
        }
    }

    private static void drain(Connection from, ByteArrayOutputStream to) throws IOException, CancelledException {
        while (true) {
            byte[] chunk = from.recv(CHUNK);
            if (chunk.length == 0) {
                from.close();                            // at its end, as curio's and Python's communicate do
                return;
            }
            to.writeBytes(chunk);
        }
    }

    /**
     * Closes the pipes; the child keeps running unless it stops on its own when they close. Never
     * suspends.
     */
    public void closePipes() {
        for (Connection c : Arrays.asList(stdin, stdout, stderr)) {
            if (c != null) {
                c.close();
            }
        }
    }

    /**
     * Lets the child outlive the kernel: the kernel no longer kills it when it closes, and a thread of
     * its own reaps it when it exits. The pipes stay the caller's. Never suspends.
     *
     * @throws IllegalStateException if the child was reaped already
     */
    public void detach() {
        if (returnCode != null) {
            throw new IllegalStateException(this + " has exited already; nothing to detach");
        }
        if (registry != null) {
            registry.remove(handle);
        }
        closePidfd();
        returnCode = Integer.MIN_VALUE;              // this object no longer owns the pid
        Thread.ofPlatform().daemon().name("curio-reaper-" + pid).start(() -> {
            try {
                Pidfd.reapBlocking(pid);
            } catch (IOException e) {
                // reaped by the kernel's waiter already; nothing left to do
            }
        });
    }

    /** Delivers a cancellation to the child as {@link #delivery} says, then reaps it; shielded. */
    private void deliverCancel() throws IOException {
        try (Cancellation.Shield _ = Cancellation.shield()) {
            if (returnCode == null && !delivery.grace().isZero()) {
                sendSignalToGroup(SIGTERM);
                long deadline = System.nanoTime() + delivery.grace().toNanos();
                while (poll().isEmpty() && System.nanoTime() - deadline < 0) {
                    Timeouts.sleep(Duration.ofMillis(10));
                }
            }
            killGroup();
            waitFor();
        } catch (CancelledException e) {
            // Discussion: a second cancellation that arrived during the clean-up; the first is on its way out.
        }
    }

    private void killGroup() throws IOException {
        if (groupLeader) {
            Pidfd.kill(-pid, SIGKILL);
        }
        sendSignal(SIGKILL);
    }

    /** The kernel is closing: kill, wait on this thread, reap, close. */
    private void killAndReap() {
        try {
            if (returnCode == null) {
                killGroup();
                returnCode = Pidfd.reapBlocking(pid);
            }
        } catch (IOException e) {
            System.getLogger("org.curio.workers").log(System.Logger.Level.WARNING,
                    "could not kill and reap " + this + " at kernel close: " + e.getMessage());
        } finally {
            closePidfd();
            closePipes();
        }
    }

    private static CompletableFuture<Void> startWaiter(int pid) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("curio-waiter-" + pid).start(() -> {
            try {
                Pidfd.awaitExitBlocking(pid);
            } catch (IOException e) {
                // reaped meanwhile (kernel close); the waiting task's poll() sees the status
            }
            done.complete(null);
        });
        return done;
    }

    @Override
    public String toString() {
        String state = returnCode == null ? "running" : returnCode == Integer.MIN_VALUE ? "detached"
                : "returncode=" + returnCode;
        return "Subprocess[pid=" + pid + ", " + args + ", " + state + "]";
    }

    /**
     * Chooses what to run and how: streams, working directory, environment, process group, cancel
     * delivery and timeout; then {@link #start()}, {@link #run()} or {@link #checkOutput()}.
     * Streams default to {@link Redirect#PIPE}, the environment to ours.
     */
    public static final class Builder {
        private final List<String> command;
        private Redirect in = Redirect.PIPE;
        private Redirect out = Redirect.PIPE;
        private Redirect err = Redirect.PIPE;
        private @Nullable Path directory;
        private final Map<String, String> environment = new LinkedHashMap<>(System.getenv());
        private boolean newProcessGroup = true;
        private CancelDelivery delivery = CancelDelivery.kill();
        private @Nullable Duration timeout;

        private Builder(List<String> command) {
            this.command = List.copyOf(command);
            if (this.command.isEmpty()) {
                throw new IllegalArgumentException("the command is empty: give at least the program's name");
            }
        }

        /**
         * {@return this builder, with stdin from {@code r}}
         *
         * @param r where stdin comes from; not {@link Redirect#STDOUT}
         */
        public Builder stdin(Redirect r) {
            if (r == Redirect.STDOUT) {
                throw new IllegalArgumentException("stdin cannot be Redirect.STDOUT");
            }
            in = Objects.requireNonNull(r, "r");
            return this;
        }

        /**
         * {@return this builder, with stdout to {@code r}}
         *
         * @param r where stdout goes; not {@link Redirect#STDOUT}
         */
        public Builder stdout(Redirect r) {
            if (r == Redirect.STDOUT) {
                throw new IllegalArgumentException("stdout cannot be Redirect.STDOUT");
            }
            out = Objects.requireNonNull(r, "r");
            return this;
        }

        /**
         * {@return this builder, with stderr to {@code r}} {@link Redirect#STDOUT} merges it into stdout.
         *
         * @param r where stderr goes
         */
        public Builder stderr(Redirect r) {
            err = Objects.requireNonNull(r, "r");
            return this;
        }

        /**
         * {@return this builder, with the child's working directory}
         *
         * @param dir the directory
         */
        public Builder directory(Path dir) {
            directory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** {@return the child's environment, a copy of ours at first; change it in place} */
        public Map<String, String> environment() {
            return environment;
        }

        /**
         * {@return this builder, with the child in our process group ({@code false}) or leading a new
         * one ({@code true}, the default)} Cancel delivery reaches the whole group only if it is new.
         *
         * @param on whether to start a new process group
         */
        public Builder newProcessGroup(boolean on) {
            newProcessGroup = on;
            return this;
        }

        /**
         * {@return this builder, with what {@link #run} and {@link #checkOutput} do to the child on
         * cancellation}
         *
         * @param d the delivery; {@link CancelDelivery#kill()} by default
         */
        public Builder cancelDelivery(CancelDelivery d) {
            delivery = Objects.requireNonNull(d, "d");
            return this;
        }

        /**
         * {@return this builder, with a time limit for {@link #run} and {@link #checkOutput}} When it
         * passes, the child is stopped as on cancellation and a
         * {@link org.curio.traps.TaskTimeoutException} carries the partial output.
         *
         * @param limit the limit
         */
        public Builder timeout(Duration limit) {
            timeout = Objects.requireNonNull(limit, "limit");
            return this;
        }

        /**
         * Starts the child. Never suspends.
         *
         * @return the process
         * @throws IOException if the program is missing or not executable, the directory is not one, a
         *                     file cannot be opened or the system refuses; the message names it
         */
        public Subprocess start() throws IOException {
            List<String> env = new ArrayList<>();
            environment.forEach((k, v) -> env.add(k + "=" + v));
            Spawn.Request request = new Spawn.Request(command, directory, env,
                    List.of(stdio(in), stdio(out), stdio(err)), newProcessGroup);
            Children registry = Curio.kernel().resource(Children.class, Children::new);
            Spawn.Child child = Spawn.start(request);
            Optional<NativeFd> fd;
            try {
                fd = forceWaiterThread ? Optional.empty() : Pidfd.open(child.pid());
            } catch (IOException e) {
                abandon(child, newProcessGroup);
                throw e;
            }
            fd.ifPresent(x -> Children.pidfdOpened());
            return new Subprocess(this, child, fd.orElse(null), registry);
        }

        /** Kills, reaps and closes a child whose exit cannot be watched (no descriptor left for a pidfd). */
        private static void abandon(Spawn.Child child, boolean group) {
            try {
                Pidfd.kill(group ? -child.pid() : child.pid(), SIGKILL);
                Pidfd.reapBlocking(child.pid());
            } catch (IOException e) {
                // the child is ours and not reaped: neither call fails for it
            }
            for (Connection c : Arrays.asList(child.stdin(), child.stdout(), child.stderr())) {
                if (c != null) {
                    c.close();
                }
            }
        }

        private static Spawn.Stdio stdio(Redirect r) {
            return new Spawn.Stdio(Spawn.Kind.valueOf(r.kind().name()), r.path());
        }

        /**
         * Suspends the calling task while it runs the child to its end with empty input; see
         * {@link #run(byte[])}.
         *
         * @return the status and output
         * @throws IOException        if the child cannot be started or read
         * @throws CancelledException if the task is cancelled or times out (the child was stopped and
         *                            reaped; the partial output is attached)
         */
        public CompletedProcess run() throws IOException, CancelledException {
            return run(new byte[0]);
        }

        /**
         * Suspends the calling task while it starts the child, feeds it {@code input}, reads its
         * output and waits for its exit. On cancellation or timeout, the child and its process group
         * are stopped as the {@link CancelDelivery} says and reaped, and the output read so far is
         * attached ({@link PartialOutput#of}). Curio: {@code subprocess.run}.
         *
         * @param input the bytes for stdin
         * @return the status and output; a non-zero status is not an error here ({@link CompletedProcess#check()})
         * @throws IOException        if the child cannot be started or read
         * @throws CancelledException if the task is cancelled or times out
         */
        public CompletedProcess run(byte[] input) throws IOException, CancelledException {
            Subprocess p = start();
            boolean done = false;
            try {
                Output o = timeout == null ? p.communicate(input) : Timeouts.after(timeout, () -> p.communicate(input));
                done = true;
                return new CompletedProcess(command, Objects.requireNonNull(p.returnCode), o.stdout(), o.stderr());
            } finally {
                if (!done) {
                    p.deliverCancel();                   // cancelled, timed out or failed: stop and reap the child
                }
                p.closePipes();
            }
        }

        /**
         * Suspends the calling task while it runs the child with empty input and answers its stdout;
         * see {@link #checkOutput(byte[])}.
         *
         * @return what the child wrote to stdout
         * @throws IOException         if the child cannot be started or read
         * @throws SubprocessException if it exits with a non-zero status
         * @throws CancelledException  if the task is cancelled or times out
         */
        public byte[] checkOutput() throws IOException, CancelledException {
            return checkOutput(new byte[0]);
        }

        /**
         * Suspends the calling task while it runs the child as {@link #run(byte[])} does, and answers
         * its stdout. Curio: {@code subprocess.check_output}.
         *
         * @param input the bytes for stdin
         * @return what the child wrote to stdout
         * @throws IOException         if the child cannot be started or read
         * @throws SubprocessException if it exits with a non-zero status (with the status and output)
         * @throws CancelledException  if the task is cancelled or times out
         */
        public byte[] checkOutput(byte[] input) throws IOException, CancelledException {
            return run(input).check().stdout();
        }
    }
}
