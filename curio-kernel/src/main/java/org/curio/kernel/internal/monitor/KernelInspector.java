package org.curio.kernel.internal.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.curio.kernel.internal.KernelLoop;
import org.curio.kernel.internal.KernelTask;
import org.curio.kernel.spi.Activation;
import org.curio.traps.Trap;
import org.jspecify.annotations.Nullable;

/**
 * One kernel as the console and JMX see it: its short id, snapshots of its tasks, stacks, and
 * cancellation requests, all from threads other than the kernel's.
 */
public final class KernelInspector implements AutoCloseable {
    /*
     * Implementation notes. A snapshot is first asked of the kernel itself, through its hand-off
     * queue, so that it is exact and may read what only the kernel thread may (task-group slots, the
     * stack of a suspended continuation). If the kernel does not answer within KERNEL_WAIT_MILLIS it is
     * busy in a task that has not reached a trap (or it is between runs), and the snapshot is read
     * from this thread instead: plain reads of the kernel's fields, which the Java memory model keeps
     * free of torn references, may see values a moment old, and never change anything. The kernel's
     * own paths pay nothing for this: no field became volatile and no lock was added.
     *
     * Discussion: a continuation's stack is not read from another thread, even though the JDK would
     * allow the call, because the kernel may resume that continuation during the walk; a running
     * task's frames are the top of the kernel thread's own stack, which Thread.getStackTrace reads
     * safely.
     */
    /** How long a snapshot waits for the kernel to take it itself. */
    static final long KERNEL_WAIT_MILLIS = 250;
    /** The most tasks a snapshot lists per kernel. */
    static final int MAX_LISTED = 1000;
    private int id;                                       // the kernel's number, set by open()
    private final Function<KernelTask<?>, String> groupOf;
    private final @Nullable Recorder recorder;
    private @Nullable KernelLoop loop;                    // set once by open()
    private @Nullable String backend;
    private @Nullable Console console;
    private @Nullable Object mbean;                       // the JMX registration, if any
    private volatile boolean closed;

    /**
     * Creates an inspector.
     *
     * @param groupOf  labels a task's task group (kernel thread only)
     * @param recorded whether to record terminated tasks and count runs (adds an activation)
     */
    public KernelInspector(Function<KernelTask<?>, String> groupOf, boolean recorded) {
        this.groupOf = groupOf;
        this.recorder = recorded ? new Recorder() : null;
    }

    /** {@return {@code activations} plus this inspector's recorder, if it has one} */
    public List<Activation> withActivations(List<Activation> activations) {
        if (recorder == null) {
            return activations;
        }
        List<Activation> all = new ArrayList<>(activations);
        all.add(recorder);
        return all;
    }

    /**
     * Starts serving the kernel: registers it on the console at {@code settings} (started if it is
     * the first kernel there) and, if {@code jmx}, as an MBean.
     *
     * @param kernelLoop the kernel
     * @param backend    the backend's name
     * @param settings   the console, or null for none
     * @param jmx        whether to register an MBean
     * @throws UncheckedIOException if a required console cannot listen
     */
    public void open(KernelLoop kernelLoop, String backend, @Nullable ConsoleSettings settings, boolean jmx) {
        this.loop = kernelLoop;
        this.id = kernelLoop.number();
        this.backend = backend;
        if (settings != null) {
            try {
                console = Consoles.join(settings, this);
            } catch (IOException e) {
                String message = "cannot start the curio monitor on " + Consoles.describe(settings.address()) + ": "
                        + e.getMessage() + "; choose another address (Monitor.at, or CURIOMONITOR=HOST:PORT)";
                if (settings.required()) {
                    throw new UncheckedIOException(message, e);
                }
                System.getLogger("org.curio.kernel.monitor").log(System.Logger.Level.WARNING, message);
            }
        }
        if (jmx) {
            mbean = KernelJmx.register(this);
        }
    }

    /** {@return whether JMX registration is wanted by default: asked for by property, or a platform MBean server exists} */
    public static boolean jmxByDefault() {
        return Boolean.getBoolean("org.curio.jmx") || KernelJmx.platformServerExists();
    }

    /** {@return the console's bound address, if this kernel is served by one} */
    public Optional<SocketAddress> consoleAddress() {
        Console c = console;
        return c == null || closed ? Optional.empty() : Optional.of(c.address());
    }

    /** {@return the kernel's short id, unique in the JVM} */
    public int id() {
        return id;
    }

    /** Stops serving the kernel: leaves the console (stopped if it was the last) and unregisters the MBean. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Console c = console;
        if (c != null) {
            Consoles.leave(c, this);
        }
        if (mbean != null) {
            KernelJmx.unregister(mbean);
        }
    }

    private KernelLoop loop() {
        KernelLoop l = loop;
        if (l == null) {
            throw new IllegalStateException("kernel inspector not opened");
        }
        return l;
    }

    /** {@return the number of live tasks, read racily} */
    int taskCount() {
        return loop().liveTasks();
    }

    String backend() {
        return backend == null ? "?" : backend;
    }

    /** {@return the recorder of terminated tasks, if this kernel has one} */
    @Nullable Recorder recorder() {
        return recorder;
    }

    // ------------------------------------------------------------------ snapshots

    /** {@return the kernel's tasks and counters, exact if the kernel answers in time} */
    Snapshot snapshot() {
        Optional<Snapshot> exact = askKernel(() -> build(true, ""));
        if (exact.isPresent()) {
            return exact.get();
        }
        return build(false, busyNote());
    }

    private String busyNote() {
        if (loop().loopThread() == null) {
            return "kernel " + id + " has no run in progress";
        }
        KernelTask<?> running = runningTask();
        return "kernel " + id + " is busy" + (running == null ? "" : ": task " + running.id() + " (" + running.name()
                + ") has run for over " + KERNEL_WAIT_MILLIS + " ms without a trap")
                + "; read without the kernel's help, figures may be a moment old";
    }

    /** {@return the task in state RUNNING, read racily, or null} */
    @Nullable KernelTask<?> runningTask() {
        for (KernelTask<?> t : loop().tasksRacy(Integer.MAX_VALUE)) {
            if ("RUNNING".equals(t.state())) {
                return t;
            }
        }
        return null;
    }

    private Snapshot build(boolean exact, String note) {
        KernelLoop l = loop();
        long now = l.clockNow();
        List<KernelTask<?>> live = l.tasksRacy(Integer.MAX_VALUE);
        List<TaskInfo> tasks = new ArrayList<>(Math.min(live.size(), MAX_LISTED));
        long cycles = 0;
        for (KernelTask<?> t : live) {
            cycles += t.cycles();
            if (tasks.size() < MAX_LISTED) {
                tasks.add(info(t, now, exact));
            }
        }
        Recorder r = recorder;
        Snapshot.Stats stats = new Snapshot.Stats(live.size(), l.readyTasks(), l.armedTimers(), l.registrations(),
                l.pendingHandOffs(), l.futureWaiters(), r == null ? cycles : r.cycles());
        return new Snapshot(id, backend(), exact, note, tasks, stats);
    }

    private TaskInfo info(KernelTask<?> t, long now, boolean onKernel) {
        long timeout = t.timeoutDeadline();
        long wake = t.wakeDeadline();
        return new TaskInfo(t.id(), t.name(), t.state(), t.cycles(),
                timeout == Trap.NO_DEADLINE ? -1 : Math.max(0, timeout - now),
                wake == Trap.NO_DEADLINE ? -1 : Math.max(0, wake - now),
                t.parentId().orElse(0), t.isDaemon(), onKernel ? groupOf.apply(t) : "");
    }

    /**
     * Runs {@code query} on the kernel thread at its next hand-off phase and waits for the answer for
     * at most {@link #KERNEL_WAIT_MILLIS}; empty if the kernel is not running or did not answer.
     */
    private <R> Optional<R> askKernel(java.util.function.Supplier<R> query) {
        KernelLoop l = loop();
        if (l.loopThread() == null) {
            return Optional.empty();
        }
        CompletableFuture<R> answer = new CompletableFuture<>();
        l.handOff(() -> {
            try {
                answer.complete(query.get());
            } catch (RuntimeException e) {
                // Discussion: a fault in the monitor must never become a fault of the kernel.
                answer.completeExceptionally(e);
            }
        });
        try {
            return Optional.of(answer.get(KERNEL_WAIT_MILLIS, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the kernel could not answer: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------ single tasks

    /** {@return the live task with {@code taskId}, or null} */
    @Nullable KernelTask<?> find(long taskId) {
        for (KernelTask<?> t : loop().tasksRacy(Integer.MAX_VALUE)) {
            if (t.id() == taskId) {
                return t;
            }
        }
        return null;
    }

    /**
     * Returns where {@code t} is: the frames of its code, innermost first, and a line saying how they
     * were obtained, or why they could not be.
     *
     * @param t the task
     * @return the description; {@code frames} empty if there is no stack to show
     */
    Where where(KernelTask<?> t) {
        Optional<Where> exact = askKernel(() -> onKernelWhere(t));
        if (exact.isPresent()) {
            return exact.get();
        }
        KernelLoop l = loop();
        Thread loopThread = l.loopThread();
        if ("RUNNING".equals(t.state()) && !t.isTerminated()) {
            List<StackTraceElement> stack = l.virtualBackend() || loopThread == null
                    ? t.coroutineStack() : List.of(loopThread.getStackTrace());
            return new Where(t.state(), "running without a trap; " + (l.virtualBackend()
                    ? "the stack of its virtual thread" : "the top of the kernel thread's stack"), taskFrames(stack));
        }
        if (l.virtualBackend()) {
            return new Where(t.state(), "", t.where());    // a virtual thread's stack is safe to read from here
        }
        return new Where(t.state(), "unavailable: kernel " + id + " is busy, and the stack of a suspended"
                + " continuation can be read only by the kernel thread; try again once it reaches a trap", List.of());
    }

    private Where onKernelWhere(KernelTask<?> t) {
        if (t.isTerminated()) {
            return new Where("TERMINATED", "the task has terminated", List.of());
        }
        List<StackTraceElement> frames = t.where();
        if (frames.isEmpty() && !"INITIAL".equals(t.state())) {
            frames = taskFrames(t.coroutineStack());        // ready: the frames where it last switched
        }
        return new Where(t.state(), frames.isEmpty() ? "no stack: the task has not started yet" : "", frames);
    }

    /** {@return the frames of {@code stack} above the coroutine's own machinery, minus the switch itself} */
    private static List<StackTraceElement> taskFrames(List<StackTraceElement> stack) {
        List<StackTraceElement> frames = new ArrayList<>();
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (c.startsWith("jdk.internal.vm.Continuation") || c.equals("org.curio.kernel.internal.KernelTask")
                    && f.getMethodName().equals("runBody")) {
                frames.add(f);
                break;                                      // below: the kernel loop or the thread's start
            }
            if (c.startsWith("org.curio.traps.internal.") || c.startsWith("jdk.internal.")
                    || c.startsWith("java.lang.VirtualThread") || c.startsWith("java.util.concurrent.locks.")
                    || c.startsWith("java.lang.Thread") && f.getMethodName().equals("getStackTrace")) {
                continue;
            }
            frames.add(f);
        }
        if (!frames.isEmpty() && frames.getLast().getClassName().startsWith("jdk.internal.vm.Continuation")) {
            frames.removeLast();
        }
        return List.copyOf(frames);
    }

    /**
     * Where a task is.
     *
     * @param state  its state
     * @param note   how the frames were obtained or why there are none; empty for a blocked task's own stack
     * @param frames its frames, innermost first
     */
    record Where(String state, String note, List<StackTraceElement> frames) {}

    /**
     * Asks the kernel to cancel {@code t} (through its hand-off queue) and waits up to {@code waitMillis}
     * for it to terminate.
     *
     * @param t          the task
     * @param waitMillis how long to wait for the task to end
     * @return whether it terminated in that time
     */
    boolean cancel(KernelTask<?> t, long waitMillis) {
        t.requestCancel();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (!t.isTerminated() && System.nanoTime() - end < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return t.isTerminated();
    }

    @Override
    public String toString() {
        return "kernel " + id + " (" + backend() + ")";
    }
}
