package org.curio.kernel;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.curio.kernel.internal.KernelTask;
import org.curio.kernel.internal.KernelLoop;
import org.curio.kernel.internal.Signals;
import org.curio.kernel.internal.monitor.KernelInspector;
import org.curio.kernel.spi.Activation;
import org.curio.kernel.spi.Holdings;
import org.curio.kernel.spi.KernelClock;
import org.curio.traps.CurioException;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/**
 * The curio kernel: runs a main task, and every task it spawns, until the main task terminates.
 *
 * {@snippet :
 * try (Kernel kernel = Kernel.create()) {
 *     String answer = kernel.run(() -> {
 *         Task<String> child = Curio.spawn(() -> "hello");
 *         return child.join();
 *     });
 * }
 * }
 *
 * <p>A kernel may {@link #run} several main tasks one after another; tasks still alive when a run
 * ends (daemons, forgotten children) stay in the kernel until the next run or {@link #close()}, which
 * cancels them newest first and waits for each, giving up after the {@linkplain
 * Builder#shutdownTimeout shutdown timeout} with an error that names every stuck task and where it is
 * blocked.
 *
 * <p><b>Where the loop is.</b> This class chooses threads and turns outcomes into returns and throws;
 * the loop itself, and the handler of every trap, is {@code org.curio.kernel.internal.KernelLoop}
 * (not exported; read its source). Everything else in this package is library code over
 * {@link org.curio.traps.Trap}s, as any other module could write it.
 *
 * <p><b>Thread safety.</b> {@code run} and {@code close} may be called from any thread that is not
 * itself a curio task, one at a time. On the virtual-thread backend the loop runs in steps on the
 * tasks' own threads, each task that switches out handing control straight to the next, while the
 * calling thread (or a virtual thread started for it) waits for the run to end; on the continuation
 * backend it runs on the calling thread.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/kernel.py">curio's Kernel</a>
 */
public final class Kernel implements AutoCloseable {
    /*
     * Implementation notes. The public object is a thin shell around KernelLoop (internal), which
     * holds all kernel state. run() only chooses the thread the loop runs on and turns the main
     * task's outcome into a return or a throw.
     *
     * Discussion: the lifecycle lock is held only while the running/closed flags change, never while
     * the loop runs tasks. Holding a Java monitor on the loop thread while continuations switch above
     * it crashed HotSpot's C2-compiled monitor exit (SIGSEGV) in property runs; a clear "already
     * running" error for a concurrent run() is also only possible this way.
     */
    private final KernelLoop scheduler;
    private final KernelClock clock;
    private final CoroutineBackend backend;
    private final Duration shutdownTimeout;
    private final Object lifecycle = new Object();       // guards running/closed/crashed transitions
    private boolean running;                             // guarded by lifecycle
    private volatile boolean closed;
    private volatile boolean crashed;
    private volatile boolean closing;                    // close() is cancelling the remaining tasks
    private final boolean stopOnSignals;
    private final @Nullable String name;                 // for messages; set by KernelGroup, or the builder
    private Signals.@Nullable Registration signals;      // guarded by lifecycle; from the first run to close
    private final Map<Class<?>, AutoCloseable> resources = new LinkedHashMap<>();  // kernel tasks only; oldest first
    private final List<Holdings> holdings = new CopyOnWriteArrayList<>();           // kept after close: the ledger reads them
    private final List<KernelInspector> inspectors = new CopyOnWriteArrayList<>();  // monitor console, JMX; closed by close()

    private Kernel(Builder b, @Nullable Monitor environmentMonitor) {
        org.curio.kernel.internal.ClassInit.ensure();    // no curio class is first initialized by a task
        this.clock = b.clock;
        this.shutdownTimeout = b.shutdownTimeout;
        this.stopOnSignals = b.stopOnSignals;
        this.name = b.name;
        org.curio.traps.spi.Backend resolved = b.backend.resolve();
        this.backend = resolved == org.curio.traps.spi.Backend.VIRTUAL
                ? CoroutineBackend.VIRTUAL : CoroutineBackend.CONTINUATION;
        KernelLoop.Idle idle = clock instanceof VirtualClock vc ? virtualIdle(vc) : REAL_IDLE;
        Monitor monitor = b.monitor != null ? b.monitor : environmentMonitor;
        boolean jmx = b.jmx != null ? b.jmx : monitor != null || KernelInspector.jmxByDefault();
        KernelInspector inspector = monitor != null || jmx ? new KernelInspector(Kernel::groupLabel, monitor != null) : null;
        this.scheduler = new KernelLoop(resolved, clock, idle,
                inspector == null ? b.activations : inspector.withActivations(b.activations), this, b.perturbationSeed);
        scheduler.budget(b.budget);
        if (inspector != null) {
            try {
                inspect(inspector, monitor == null ? null : monitor.settings(monitor == b.monitor), jmx);
            } catch (RuntimeException e) {
                scheduler.close();                       // the poller's descriptors: nobody else will close them
                throw e;
            }
        }
        for (Activation a : b.activations) {
            a.activate(this);
        }
    }

    private static final KernelLoop.Idle REAL_IDLE = new KernelLoop.Idle() {
        @Override
        public long realTimeout(long nanosToDeadline, boolean external) {
            return nanosToDeadline;
        }

        @Override
        public void nothingReady(long deadline) {
            // The real clock moves by itself.
        }
    };

    private static KernelLoop.Idle virtualIdle(VirtualClock clock) {
        long threshold = clock.autojumpThreshold().toNanos();
        return new KernelLoop.Idle() {
            @Override
            public long realTimeout(long nanosToDeadline, boolean external) {
                if (!external) {
                    return 0;
                }
                return nanosToDeadline < 0 ? -1 : threshold;
            }

            @Override
            public void nothingReady(long deadline) {
                clock.advanceTo(deadline);
            }
        };
    }

    /** {@return a kernel with the default backend (see {@link CoroutineBackend#AUTO}) and the system clock} */
    public static Kernel create() {
        return builder().build();
    }

    /** {@return a builder for a kernel with chosen backend, clock, activations and shutdown timeout} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code main} as a task until it terminates, running every other ready task along the way,
     * and returns its result.
     *
     * @param main the main task's body
     * @param <T>  the result type
     * @return the main task's result
     * @throws Exception             the main task's own failure, unchanged
     * @throws IllegalStateException if the kernel is closed, crashed or already running, if the caller is
     *                               a curio task, or if every task is blocked with nothing to wake them
     *                               (a deadlock; the message lists the tasks)
     */
    public <T> T run(Callable<? extends T> main) throws Exception {
        Objects.requireNonNull(main, "main");
        KernelTask<T> task = enter(main);
        Throwable failure = task.exception().orElse(null);
        if (failure == null) {
            return task.result();
        }
        if (failure instanceof Exception e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        throw new CurioException("main task failed", failure);
    }

    /**
     * Runs {@code main} as a task until it terminates. See {@link #run(Callable)}.
     *
     * @param main the main task's body
     * @throws Exception the main task's own failure, unchanged
     */
    public void run(VoidBody<?> main) throws Exception {
        Objects.requireNonNull(main, "main");
        run(main.asBody()::call);
    }

    private <T> KernelTask<T> enter(Callable<? extends T> main) {
        // Checked before the lifecycle lock: on the virtual-thread backend a task runs on its own
        // thread, and it must get a clear error rather than wait for the run it is part of.
        if (Traps.inTask()) {
            throw new IllegalStateException("Kernel.run cannot be called from inside a curio task");
        }
        begin("run");
        try {
            return onLoopThread(() -> scheduler.runMain(main, "main"));
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            crashed = true;
            throw e;
        } finally {
            end();
        }
    }

    /** Marks the kernel as running; the lock is held for the transition only, never while tasks run. */
    private void begin(String what) {
        synchronized (lifecycle) {
            if (closed || crashed) {
                throw new IllegalStateException("cannot " + what + ": kernel is " + (closed ? "closed" : "crashed")
                        + "; create a new one");
            }
            if (running) {
                throw new IllegalStateException("cannot " + what + ": kernel is already running");
            }
            running = true;
            if (stopOnSignals && signals == null) {
                signals = Signals.register(() -> {
                    if (!closing) {
                        shutdown();
                    }
                });
            }
        }
    }

    private void end() {
        synchronized (lifecycle) {
            running = false;
        }
    }

    private <R> R onLoopThread(java.util.function.Supplier<R> loop) {
        if (backend == CoroutineBackend.CONTINUATION || Thread.currentThread().isVirtual()) {
            return loop.get();
        }
        // The loop and the tasks hand control to each other; keep both on virtual threads, because
        // a platform-to-virtual hand-off costs far more than a virtual-to-virtual one.
        Object[] outcome = new Object[2];
        Thread loopThread = Thread.ofVirtual().name("curio-kernel").start(() -> {
            try {
                outcome[0] = loop.get();
            } catch (RuntimeException | Error e) {
                outcome[1] = e;
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                loopThread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (outcome[1] instanceof RuntimeException e) {
            throw e;
        }
        if (outcome[1] instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        R result = (R) outcome[0];
        return result;
    }

    /**
     * Cancels every remaining task, newest first, waiting for each, then releases the kernel's
     * resources. Does nothing if the kernel is closed already.
     *
     * @throws IllegalStateException if some task has not terminated within the shutdown timeout (the
     *                               message names each and where it is blocked), or if the caller is a
     *                               curio task
     */
    @Override
    public void close() {
        if (Traps.inTask()) {                            // before the lock, as in enter()
            throw new IllegalStateException("Kernel.close cannot be called from inside a curio task");
        }
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            if (running) {
                throw new IllegalStateException("cannot close: kernel is running");
            }
            running = true;
            closing = true;
        }
        try {
            if (!crashed && !scheduler.tasks().isEmpty()) {
                shutDownTasks();
            }
        } finally {
            Signals.Registration r;
            synchronized (lifecycle) {
                closed = true;
                running = false;
                r = signals;
            }
            try {
                closeResources();
            } finally {
                scheduler.close();
            }
            if (r != null) {
                r.close();
            }
            for (KernelInspector i : inspectors) {
                i.close();
            }
        }
    }

    /** Serves this kernel on a monitor console and/or as an MBean until it closes (see {@link Monitor}). */
    void inspect(KernelInspector inspector, org.curio.kernel.internal.monitor.@Nullable ConsoleSettings console,
                 boolean jmx) {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("cannot attach a monitor: " + this + " is closed");
            }
            inspector.open(scheduler, backend.name().toLowerCase(java.util.Locale.ROOT), console, jmx);
            inspectors.add(inspector);
        }
    }

    /** {@return a label of the task group {@code task} belongs to, or an empty string} Kernel thread only. */
    static String groupLabel(KernelTask<?> task) {
        return TaskGroup.monitorLabel(task.slotValue(TaskGroup.membershipSlot()));
    }

    /**
     * {@return the address of the monitor console serving this kernel, if it was built with one} The
     * bound address: with port 0 asked for, the port the system chose. See {@link Builder#monitor}.
     */
    public Optional<SocketAddress> monitorAddress() {
        for (KernelInspector i : inspectors) {
            Optional<SocketAddress> a = i.consoleAddress();
            if (a.isPresent()) {
                return a;
            }
        }
        return Optional.empty();
    }

    private void shutDownTasks() {
        String[] stuck = new String[1];
        try {
            onLoopThread(() -> scheduler.runMain(() -> {
                KernelTask<?> self = scheduler.currentTask();
                // The shutdown deadline is the kernel's own timeout trap, not a library timeout block.
                long prior = Traps.call(new Trap.SetTimeout(shutdownDeadline()));
                try {
                    // Rounds, newest first: a cleanup may spawn tasks, and they must not survive either.
                    for (List<KernelTask<?>> left = othersThan(self); !left.isEmpty(); left = othersThan(self)) {
                        for (KernelTask<?> t : left.reversed()) {
                            t.cancel();
                        }
                    }
                } catch (TaskTimeoutException e) {
                    StringBuilder sb = new StringBuilder();
                    for (KernelTask<?> t : othersThan(self)) {
                        sb.append("\n  ").append(t);
                        List<StackTraceElement> where = t.where();
                        sb.append(where.isEmpty() ? " (no stack)" : " at " + where.getFirst());
                    }
                    stuck[0] = sb.toString();
                } finally {
                    Traps.call(new Trap.UnsetTimeout(prior));
                }
                return null;
            }, "shutdown"));
        } catch (RuntimeException | Error e) {
            crashed = true;
            throw e;
        }
        if (stuck[0] != null) {
            throw new IllegalStateException("kernel shutdown gave up after " + shutdownTimeout
                    + "; tasks still running:" + stuck[0]);
        }
    }

    /** {@return now plus the shutdown timeout on the kernel clock, saturated below NO_DEADLINE} */
    private long shutdownDeadline() {
        long now = clock.nanoTime();
        long nanos;
        try {
            nanos = shutdownTimeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE;
        }
        return now > Trap.NO_DEADLINE - 1 - nanos ? Trap.NO_DEADLINE - 1 : now + nanos;
    }

    private List<KernelTask<?>> othersThan(KernelTask<?> self) {
        List<KernelTask<?>> tasks = new ArrayList<>(scheduler.tasks());
        tasks.remove(self);
        return tasks;
    }

    /**
     * Returns this kernel's instance of a library resource of {@code type}, creating it with
     * {@code create} on first use; resources are closed when the kernel closes, after every task has
     * ended, newest first (a failure is logged, and the rest still close). Call from a task of this kernel.
     *
     * <p>Libraries keep per-kernel state this way (a worker pool, a resolver): one instance per kernel,
     * whoever asks first creates it, and it lives until the kernel closes. Never suspends.
     *
     * @param type   the resource's type, its key in this kernel
     * @param create makes the resource on first use; called on the calling task, at most once per kernel
     * @param <R>    the resource's type
     * @return the kernel's instance
     * @throws IllegalStateException if the caller is not a task of this kernel, or the kernel has closed
     * @throws NullPointerException  if {@code create} returns null
     * @throws ClassCastException    if {@code create} returns something that is not a {@code type}
     */
    public <R extends AutoCloseable> R resource(Class<R> type, Supplier<? extends R> create) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(create, "create");
        if (scheduler.currentTask() == null) {
            throw new IllegalStateException("Kernel.resource(" + type.getName() + ") called outside the tasks of "
                    + this + " (thread " + Thread.currentThread().getName() + "); call it from one of its tasks");
        }
        AutoCloseable existing = resources.get(type);
        if (existing != null) {
            return type.cast(existing);
        }
        if (closed) {
            throw new IllegalStateException("Kernel.resource(" + type.getName() + "): kernel is closed");
        }
        R made = type.cast(Objects.requireNonNull(create.get(), () -> "the supplier of " + type.getName()
                + " returned null; it must return the resource to keep"));
        AutoCloseable raced = resources.putIfAbsent(type, made);   // create() may itself have asked for type
        if (raced != null) {
            closeQuietly(type, made);
            return type.cast(raced);
        }
        if (made instanceof Holdings h) {
            holdings.add(h);
        }
        return made;
    }

    /** Closes every resource, newest first, logging each failure. Called once every task has ended. */
    private void closeResources() {
        List<Map.Entry<Class<?>, AutoCloseable>> all = new ArrayList<>(resources.entrySet());
        resources.clear();
        for (Map.Entry<Class<?>, AutoCloseable> e : all.reversed()) {
            closeQuietly(e.getKey(), e.getValue());
        }
    }

    private static void closeQuietly(Class<?> type, AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception | LinkageError e) {
            System.getLogger("org.curio.kernel").log(System.Logger.Level.ERROR,
                    "closing the kernel's " + type.getName() + " failed: " + resource, e);
        }
    }

    /**
     * {@return what the kernel holds now: live tasks, armed timers, registrations, future waits, and what
     * its library resources hold ({@link Holdings}), such as worker threads and child processes}
     */
    public Ledger ledger() {
        Map<String, Long> held = new TreeMap<>();
        for (Holdings h : holdings) {
            h.holdings().forEach((kind, n) -> held.merge(kind, n, Long::sum));
        }
        return new Ledger(scheduler.liveTasks(), scheduler.armedTimers(), scheduler.registrations(),
                scheduler.futureWaiters(), held);
    }

    /** {@return the live tasks, oldest first; exact only between runs or from this kernel's tasks} */
    public List<Task<?>> tasks() {
        return List.copyOf(scheduler.tasks());
    }

    /** {@return the kernel's clock} */
    public KernelClock clock() {
        return clock;
    }

    /** {@return the backend this kernel runs its tasks on (never {@link CoroutineBackend#AUTO})} */
    public CoroutineBackend backend() {
        return backend;
    }

    /**
     * Stops a running kernel from any thread: at the start of its next turn the loop stops and
     * {@link #run} throws an {@link IllegalStateException} with {@code reason} and every task and
     * where it is blocked; {@link #close()} then cancels the tasks as usual. Watchdogs use this to end
     * a run that takes too long. A task that never suspends holds the loop and cannot be stopped this
     * way. Does nothing if the kernel is not running, or once the run has ended.
     *
     * @param reason why the kernel is stopped, for the message
     */
    public void abort(String reason) {
        scheduler.abort(Objects.requireNonNull(reason, "reason"));
    }

    /**
     * Asks the kernel to stop, from any thread: the main task of the run in progress is cancelled
     * (with a {@link org.curio.traps.TaskCancelledException}, delivered at its next blocking call), so
     * its cleanup code and its task groups' run, and {@link #run} then returns or throws whatever the
     * main task did. Tasks left over (daemons) are cancelled by {@link #close()} as usual. Shutdown
     * hooks, signal handlers and watchdogs use this; unlike {@link #abort}, nothing is cut short.
     *
     * @return whether a run was in progress (otherwise nothing is done)
     */
    public boolean shutdown() {
        return scheduler.cancelMain(new org.curio.traps.TaskCancelledException());
    }

    /** {@return the number of the signal that stopped the kernel (see {@link Builder#stopOnSignals}), or 0} */
    int stopSignal() {
        Signals.Registration r;
        synchronized (lifecycle) {
            r = signals;
        }
        return r == null ? 0 : r.signal();
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return closed;
    }

    /**
     * {@return the kernel's name: the one given to {@link Builder#name}, or {@code Kernel-N}, where N is
     * its number in this JVM (1 for the first kernel built), the number by which the monitor console,
     * its MBean and its JFR events name it}
     */
    public String name() {
        return name == null ? "Kernel-" + scheduler.number() : name;
    }

    @Override
    public String toString() {
        return "Kernel[" + name() + ", " + backend.name().toLowerCase(java.util.Locale.ROOT) + ", tasks=" + scheduler.tasks().size()
                + (closed ? ", closed" : "") + "]";
    }

    /** Chooses a kernel's backend, clock, activations and shutdown timeout. */
    public static final class Builder {
        private CoroutineBackend backend = CoroutineBackend.AUTO;
        private KernelClock clock = KernelClock.SYSTEM;
        private final List<Activation> activations = new ArrayList<>();
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private @Nullable Long perturbationSeed;
        private boolean stopOnSignals;
        private int budget = KernelLoop.DEFAULT_BUDGET;
        private @Nullable Monitor monitor;
        private @Nullable Boolean jmx;
        private @Nullable String name;

        private Builder() {}

        /**
         * Serves the kernel on a monitor console from its build until it is closed (see {@link Monitor}):
         * {@code Kernel.builder().monitor(Monitor.localhost())} listens on 127.0.0.1:48802. Off by
         * default; {@link Curio#run} also turns it on from the {@value Monitor#ENVIRONMENT_VARIABLE}
         * environment variable. A kernel with a console records its last 50 terminated tasks (an
         * activation) and is registered as an MBean.
         *
         * @param console where the console listens
         * @return this builder
         */
        public Builder monitor(Monitor console) {
            this.monitor = Objects.requireNonNull(console, "console");
            return this;
        }

        /**
         * Chooses whether the kernel registers an MBean, {@code org.curio:type=Kernel,name=<id>}, while it
         * is open: its counters as attributes, and {@code ps}, {@code where(id)}, {@code cancel(id)} and
         * {@code taskTree} as operations answering JSON. By default it does when it has a monitor console,
         * when the system property {@code org.curio.jmx} is {@code true}, or when the platform MBean
         * server exists already when it is built (a JMX agent started with the JVM, or some code asked for
         * it): creating that server costs about a third of a second, which a program that never uses JMX
         * should not pay.
         *
         * @param register whether to register the MBean
         * @return this builder
         */
        public Builder jmx(boolean register) {
            this.jmx = register;
            return this;
        }

        /**
         * Names the kernel; the name appears in its {@code toString}, and so in every message that
         * names it (such as the error a task of another kernel gets for using one of its objects).
         *
         * @param name the name; not blank
         * @return this builder
         * @throws IllegalArgumentException if it is blank
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("kernel name must not be blank: \"" + name + "\"");
            }
            this.name = name;
            return this;
        }

        /**
         * Makes SIGINT (Ctrl-C) and SIGTERM stop the kernel as {@link Kernel#shutdown()} does, from its
         * first run until it is closed: the main task is cancelled, so every task's cleanup runs once;
         * a second signal while it stops ends the process at once (status 128 + the signal's number).
         * Off by default for a kernel; {@link Curio#run(Callable)} turns it on, and after closing such a
         * kernel exits the JVM with the status the JVM itself gives a signal: 130 for SIGINT, 143 for
         * SIGTERM. A signal that was ignored when the kernel started (a background job's SIGINT) stays
         * ignored. The handlers are the JVM's {@code sun.misc.Signal} ones; with {@code -Xrs} they are
         * unavailable and the JVM ends the process as usual.
         *
         * @param on whether signals stop the kernel
         * @return this builder
         */
        public Builder stopOnSignals(boolean on) {
            this.stopOnSignals = on;
            return this;
        }

        /**
         * Sets the coroutine backend.
         *
         * @param backend the backend
         * @return this builder
         */
        public Builder backend(CoroutineBackend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * Sets the clock, such as a {@link VirtualClock}.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(KernelClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Adds an activation, told of every task's life (see {@link Debug}).
         *
         * @param activation the activation
         * @return this builder
         */
        public Builder activation(Activation activation) {
            activations.add(Objects.requireNonNull(activation, "activation"));
            return this;
        }

        /**
         * Sets how long {@link Kernel#close()} waits for cancelled tasks, on the kernel clock.
         *
         * @param timeout the timeout; positive
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder shutdownTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("shutdown timeout must be positive: " + timeout);
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /**
         * Makes the kernel shuffle each batch of ready tasks with a pseudo-random order drawn from
         * {@code seed}, instead of running them first-come first-served. Tasks still switch only at
         * their traps; order within a task, whom a wait queue hands a resource to, and when timeouts
         * fire are unchanged; what changes is the order in which tasks that are ready at the same turn
         * run, which curio leaves unspecified. A property test draws the seed, so it explores interleavings, and a failing seed
         * replays the same schedule (on a {@link VirtualClock}, with no outside events).
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder perturbSchedule(long seed) {
            this.perturbationSeed = seed;
            return this;
        }

        /**
         * Sets the cooperative budget: how many I/O and queue operations a task may do after the kernel
         * has resumed it before the next one first yields, so that every other ready task runs, the
         * kernel polls for I/O and timers fire. Operations that find their data or room at once still
         * count, which is what keeps a task whose peer never makes it wait from starving the others.
         * The default, 128, costs nothing measurable and lets a busy connection run about a millisecond
         * at a time; tests use small budgets to force yields, and {@code Integer.MAX_VALUE} never forces
         * one.
         *
         * @param operations the budget; positive
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder cooperativeBudget(int operations) {
            if (operations < 1) {
                throw new IllegalArgumentException("cooperative budget must be positive: " + operations);
            }
            this.budget = operations;
            return this;
        }

        /**
         * Builds the kernel.
         *
         * @return the kernel
         * @throws IllegalStateException if the continuation backend was chosen but is unavailable
         */
        public Kernel build() {
            return new Kernel(this, null);
        }

        /**
         * Builds the kernel for {@link Curio#run}: without a console of its own, it gets the one the
         * {@value Monitor#ENVIRONMENT_VARIABLE} environment variable asks for, if any; if that one cannot
         * listen, the program runs without it (a warning is logged).
         */
        Kernel buildForRun() {
            return new Kernel(this, monitor != null ? null
                    : Monitor.fromEnvironment(System.getenv(Monitor.ENVIRONMENT_VARIABLE)).orElse(null));
        }
    }

    /**
     * Records, when a flight recording runs, that a timeout block of {@code task} saw a timeout: its
     * own deadline ({@code own}) or an enclosing block's. Timeouts calls it, on the task. Discussion:
     * a static call rather than a trap, so that recording (a diagnostic) adds no trap that activations
     * and traces would see; it only reads the task's kernel's recording hook.
     */
    static void timedOut(Task<?> task, boolean own, String api, Duration timeout, long deadline) {
        org.curio.kernel.internal.FlightRecording.timedOut(task, own, api, timeout, deadline);
    }
}
