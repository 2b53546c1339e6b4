package org.curio.kernel.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.curio.kernel.spi.Activation;
import org.curio.kernel.spi.KernelClock;
import org.curio.kernel.internal.poll.Poller;
import org.curio.kernel.internal.poll.Pollers;
import org.curio.traps.CancelledException;
import org.curio.traps.CurioException;
import org.curio.traps.Pollable;
import org.curio.traps.Task;
import org.curio.traps.TaskSlot;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.Trap;
import org.curio.traps.Trap.AllowCancel;
import org.curio.traps.Trap.Budget;
import org.curio.traps.Trap.CancelTask;
import org.curio.traps.Trap.Clock;
import org.curio.traps.Trap.FutureWait;
import org.curio.traps.Trap.GetCurrent;
import org.curio.traps.Trap.GetKernel;
import org.curio.traps.Trap.GetSlot;
import org.curio.traps.Trap.IoRelease;
import org.curio.traps.Trap.ReadWait;
import org.curio.traps.Trap.SchedWait;
import org.curio.traps.Trap.SchedWake;
import org.curio.traps.Trap.SetCancellation;
import org.curio.traps.Trap.SetSlot;
import org.curio.traps.Trap.SetTimeout;
import org.curio.traps.Trap.Sleep;
import org.curio.traps.Trap.Spawn;
import org.curio.traps.Trap.UnsetTimeout;
import org.curio.traps.Trap.WakeOnExit;
import org.curio.traps.Trap.WriteWait;
import org.curio.traps.WaitQueue;
import org.curio.traps.spi.TrapHandler;
import org.curio.traps.spi.Backend;
import org.curio.traps.spi.Coroutine;
import org.curio.traps.spi.Scheduler;
import org.curio.traps.spi.WaitQueues;
import org.jspecify.annotations.Nullable;

/**
 * The kernel proper: the run loop ({@link #runMain}, one turn per {@code tick()}) and the handler of
 * every trap (one exhaustive {@code switch} in {@code suspend} and one in {@code immediate}), after
 * curio 1.6's {@code Kernel._make_kernel_runtime}. Start reading here to learn how tasks run; the
 * public {@code org.curio.kernel.Kernel} is a thin shell around it.
 *
 * <p>The loop knows tasks, wait queues, timers, I/O readiness and futures, and nothing of the library
 * features built over traps (timeout blocks, task groups, task-locals, shielding): those keep their
 * state in task slots ({@code Trap.GetSlot}) the loop stores without reading.
 */
public final class KernelLoop {
    /*
     * Implementation notes. Trap handlers run on the stack of the task that issued the trap, while
     * the loop is waiting for that task, so kernel state has exactly one user at a time. Immediate
     * traps are plain method calls; a suspending trap records why the task waits (its state and a
     * cancel function that undoes the wait), then switches to the loop. A task is resumed by
     * setting resumeValue or resumeError and putting it on the ready queue (reschedule).
     *
     * Cancellation follows curio exactly: a cancel or timeout aimed at a blocked task (cancelFunc set)
     * undoes the wait and resumes it with the exception; aimed at a ready or running task, or one
     * that has disabled cancellation, it becomes pendingCancel and is raised by the task's next
     * suspending trap.
     */
    static final System.Logger LOG = System.getLogger("org.curio.kernel");
    /** Operations a task may do between two suspensions before its next one yields first (Trap.Budget). */
    public static final int DEFAULT_BUDGET = 128;

    final Backend backend;
    private static final AtomicInteger NUMBERS = new AtomicInteger();
    private final int number = NUMBERS.incrementAndGet();
    private final KernelClock clock;
    private final Activation[] activations;
    private final boolean observed;                       // some activation is attached
    private final @Nullable SplittableRandom perturbation; // shuffles each ready batch when set
    private volatile @Nullable String abortReason;
    final Object kernel;                                  // the public Kernel: owner of wait queues
    private final Idle idle;
    private final ArrayDeque<KernelTask<?>> ready = new ArrayDeque<>();
    private final TimerQueue timers = new TimerQueue();
    private @Nullable KernelTask<?> oldest;                // live tasks: a list through the tasks
    private @Nullable KernelTask<?> newest;
    private int liveTasks;
    private final Poller poller;
    private final IoWaits io;
    private final ConcurrentLinkedQueue<Runnable> handoffs = new ConcurrentLinkedQueue<>();
    private final Crashes crashes = new Crashes();
    private int futureWaiters;
    private long tickClock;                               // the clock read at the start of the turn
    private @Nullable Long tickClockBoxed;                 // its boxed form, made on first use
    private volatile @Nullable KernelTask<?> mainTask;
    private volatile @Nullable Thread loopThread;
    private int budget = DEFAULT_BUDGET;                  // cooperative budget per resumption
    // The virtual-thread backend runs the loop in steps, on whichever thread holds the baton.
    final Scheduler steps = new Steps();
    private @Nullable KernelTask<?> stepMain;              // the run's main task
    private @Nullable KernelTask<?> current;               // the task running now, until its next step
    private int batchLeft;                                // tasks of this turn's batch not yet run
    volatile @Nullable TaskEvents events;                  // set only while a JFR recording runs; any thread
    private @Nullable TaskEvents runRecording;            // the recording beforeRun saw, for afterRun
    private @Nullable Object runToken;                     // what it answered for the running task

    /** What the loop does when no task is ready: wait on the real clock, or jump a virtual one. */
    public interface Idle {
        /**
         * {@return how long, in real nanoseconds, the poller may block when no task is ready}
         *
         * @param nanosToDeadline time to the next timer on the kernel clock, or -1 if none
         * @param external        whether some task waits for I/O or a future
         */
        long realTimeout(long nanosToDeadline, boolean external);

        /**
         * Called when, after waiting, still no task is ready and a timer is armed.
         *
         * @param deadline the next timer's deadline
         */
        void nothingReady(long deadline);
    }

    /**
     * Creates the kernel state.
     *
     * @param backend     the coroutine backend
     * @param clock       the kernel clock
     * @param idle        the idle policy
     * @param activations the activations
     * @param kernel      the public kernel object, answered by GetKernel
     * @param perturbationSeed if not null, the seed of a shuffle applied to every batch of ready tasks
     */
    public KernelLoop(Backend backend, KernelClock clock, Idle idle, List<Activation> activations, Object kernel,
                     @Nullable Long perturbationSeed) {
        this.backend = backend.checkAvailable();
        this.clock = clock;
        this.idle = idle;
        this.activations = activations.toArray(new Activation[0]);
        this.observed = this.activations.length > 0;
        this.perturbation = perturbationSeed == null ? null : new SplittableRandom(perturbationSeed);
        this.kernel = kernel;
        this.poller = Pollers.create(this.backend == Backend.VIRTUAL);
        this.poller.bind(this::ownsCurrentThread, () -> !handoffs.isEmpty());
        this.io = new IoWaits(this, poller);
        FlightRecording.register(this);
    }

    /**
     * {@return the kernel's number: 1 for the first kernel built in this JVM, then 2, and so on; the
     * monitor console, JMX and JFR events name the kernel by it}
     */
    public int number() {
        return number;
    }

    /**
     * Sets the cooperative budget: how many operations a task may draw (Trap.Budget) after the kernel
     * resumes it before the next one yields first.
     *
     * @param operations the budget; positive ({@code Integer.MAX_VALUE} never forces a yield)
     */
    public void budget(int operations) {
        if (operations < 1) {
            throw new IllegalArgumentException("budget must be positive: " + operations);
        }
        budget = operations;
    }

    // ------------------------------------------------------------------ flight recording

    /**
     * Installs or removes the flight recording's task events. Any thread: the field is volatile, the
     * one piece of kernel state another thread writes directly, so that a recording that starts
     * between two runs sees the next run's first task; each hook reads it once.
     *
     * @param events the events, or null to record nothing
     */
    public void events(@Nullable TaskEvents events) {
        this.events = events;
    }

    /** {@return whether task events are being recorded} */
    public boolean recordsEvents() {
        return events != null;
    }

    /** {@return the ready tasks' count, read without synchronization: from another thread, an estimate} */
    public int readyEstimate() {
        return ready.size();
    }

    /** {@return the hand-offs from other threads not yet run; any thread} */
    public int pendingHandoffs() {
        return handoffs.size();
    }

    /** {@return the backend's name, in lower case} */
    public String backendName() {
        return backend.name().toLowerCase(java.util.Locale.ROOT);
    }

    private boolean ownsCurrentThread() {
        return Thread.currentThread() == loopThread
                || TrapHandler.current() instanceof KernelTask<?> t && t.scheduler == this;
    }

    // ------------------------------------------------------------------ the loop

    /**
     * Runs {@code body} as the main task until it terminates.
     *
     * @param body the main task's body
     * @param name the main task's name
     * @param <T>  the result type
     * @return the terminated main task
     */
    public <T> KernelTask<T> runMain(Callable<? extends T> body, String name) {
        abortReason = null;                      // an abort between runs has nothing to stop
        KernelTask<T> main = newTask(null, body, name, false);
        mainTask = main;
        loopThread = Thread.currentThread();
        try {
            if (backend == Backend.VIRTUAL) {
                stepMain = main;
                steps.run();                     // this thread parks until the baton comes back
            } else {
                while (!main.terminated) {
                    checkAbort();
                    tick();
                }
            }
            main.joined = true;
            return main;
        } finally {
            abortReason = null;                  // an abort that raced the end of the run has nothing to stop
            loopThread = null;
            mainTask = null;
            stepMain = null;
            current = null;
            batchLeft = 0;                       // a failed run leaves the rest of its batch ready
            crashes.reportUnjoined(activations);
        }
    }

    private void checkAbort() {
        String abort = abortReason;
        if (abort != null) {
            throw new IllegalStateException("kernel aborted: " + abort + "\n" + dump());
        }
    }

    /** One turn of the loop: what {@link #startTurn} prepares, then each ready task run once. */
    private void tick() {
        for (int n = startTurn(); n > 0; n--) {              // 4. run each ready task once
            run(ready.pollFirst());
        }
    }

    /**
     * The loop of the virtual-thread backend, in steps: a task that suspends or ends runs on its own
     * thread what {@code runMain} and {@code tick} do between two resumptions, up to the next task
     * to run, and hands control straight to it; the thread of {@code runMain} waits until the main
     * task has ended and the turn it ended in is over. Each turn is the same batch as in tick().
     */
    private final class Steps extends Scheduler {
        @Override
        protected @Nullable Coroutine next() {
            KernelTask<?> t = nextTask();
            return t == null ? null : t.coroutine;
        }
    }

    private @Nullable KernelTask<?> nextTask() {
        Thread self = Thread.currentThread();
        if (loopThread != self) {
            loopThread = self;                               // the thread that now runs the loop
        }
        KernelTask<?> t = current;
        if (t != null) {
            current = null;
            afterRun(t);
        }
        while (batchLeft == 0) {
            KernelTask<?> main = stepMain;
            if (main == null || main.terminated) {
                return null;
            }
            checkAbort();
            batchLeft = startTurn();
        }
        batchLeft--;
        KernelTask<?> next = ready.pollFirst();
        beforeRun(next);
        current = next;
        return next;
    }

    /**
     * Starts a turn: waits for or looks at I/O, runs hand-offs, expires timers and shuffles the ready
     * tasks if asked to.
     *
     * @return how many ready tasks this turn runs, the first ones of the ready queue
     */
    private int startTurn() {
        if (ready.isEmpty()) {
            waitIdle();
        } else if (io.waiters() > 0) {
            poller.poll(0);                                  // 1. I/O readiness (Netty epoll)
        }
        drainHandoffs();                                     // 2. hand-offs from other threads
        long now = clock.nanoTime();
        tickClock = now;
        if (timers.size() > 0) {
            expireTimers(now);                               // 3. sleeps and timeouts
        }
        int n = ready.size();
        if (perturbation != null && n > 1) {
            shuffleReady(n, perturbation);
        }
        return n;
    }

    /** Puts the first {@code n} ready tasks in an order drawn from {@code random} (Fisher-Yates). */
    private void shuffleReady(int n, SplittableRandom random) {
        KernelTask<?>[] batch = new KernelTask<?>[n];
        for (int i = 0; i < n; i++) {
            batch[i] = ready.pollFirst();
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            KernelTask<?> swap = batch[i];
            batch[i] = batch[j];
            batch[j] = swap;
        }
        for (int i = n - 1; i >= 0; i--) {
            ready.addFirst(batch[i]);
        }
    }

    /**
     * Makes the loop stop at the start of its next turn, throwing an {@link IllegalStateException}
     * with {@code reason} and the task dump from {@code runMain}; forgotten when the run ends. Any
     * thread.
     *
     * @param reason why
     */
    public void abort(String reason) {
        abortReason = reason;
        poller.wakeup();
    }

    private void waitIdle() {
        long deadline = timers.nextDeadline();
        boolean external = io.waiters() > 0 || futureWaiters > 0;
        if (deadline == Long.MAX_VALUE && !external && handoffs.isEmpty()) {
            throw new IllegalStateException("deadlock: every task is blocked and nothing can wake one\n" + dump());
        }
        long toDeadline = deadline == Long.MAX_VALUE ? -1 : Math.max(0, deadline - clock.nanoTime());
        poller.poll(handoffs.isEmpty() ? idle.realTimeout(toDeadline, external) : 0);
        if (deadline != Long.MAX_VALUE && ready.isEmpty() && handoffs.isEmpty()) {
            idle.nothingReady(deadline);
        }
    }

    private void drainHandoffs() {
        Runnable r;
        while ((r = handoffs.poll()) != null) {
            r.run();
        }
    }

    private void expireTimers(long now) {
        timers.expire(now, e -> {
            KernelTask<?> t = e.task;
            if (e.sleep) {
                t.resumeValue = now;
                reschedule(t);
            } else {
                t.timeout = Trap.NO_DEADLINE;
                TaskTimeoutException timeout = new TaskTimeoutException(now);
                if (observed) {
                    for (Activation a : activations) {
                        a.cancelled(t, timeout);
                    }
                }
                if (t.allowCancel && t.cancelFunc != null) {
                    t.cancelFunc.run();
                    t.resumeError = timeout;
                    reschedule(t);
                } else {
                    t.pendingCancel = timeout;
                }
            }
        });
    }

    private void run(KernelTask<?> t) {
        beforeRun(t);
        t.coroutine.resume();
        afterRun(t);
    }

    private void beforeRun(KernelTask<?> t) {
        t.state = "RUNNING";
        t.cycles++;
        t.budgetSpent = 0;                                 // a fresh cooperative budget per resumption
        for (Activation a : activations) {
            a.running(t);
        }
        TaskEvents recording = events;
        runRecording = recording;
        runToken = recording == null ? null : recording.running(t);
    }

    private void afterRun(KernelTask<?> t) {
        TaskEvents recording = runRecording;
        if (recording != null) {
            runRecording = null;
            recording.ran(t, runToken);
            runToken = null;
        }
        if (t.finished) {
            terminate(t);
        } else {
            for (Activation a : activations) {
                a.suspended(t, t.lastTrap);
            }
        }
    }

    private void terminate(KernelTask<?> t) {
        t.terminated = true;
        t.state = "TERMINATED";
        unlinkLive(t);
        disarmTimeout(t);
        t.timeout = Trap.NO_DEADLINE;
        Throwable failure = t.peekFailure();
        for (Activation a : activations) {
            a.terminated(t, failure);
        }
        TaskEvents recording = events;
        if (recording != null) {
            recording.terminated(t, failure);
        }
        if (t.joining != null && !t.joining.isEmpty()) {
            WaitQueues.wake(t.joining, t.joining.size(), kernel, w -> wake(own(w), null));
        }
        List<WaitQueue> watchers = t.exitWatchers;
        if (watchers != null) {
            t.exitWatchers = null;
            for (WaitQueue q : watchers) {
                if (!q.isEmpty()) {
                    WaitQueues.wake(q, q.size(), kernel, w -> wake(own(w), null));
                }
            }
        }
        if (failure != null && t != mainTask && !(failure instanceof CancelledException)) {
            // Curio's rule: every crash is reported when the task ends, whoever waits for it or not,
            // so a failure in cleanup code (after cancel(), or during close) is never lost.
            for (Activation a : activations) {
                a.crashed(t, failure);
            }
            if (recording != null) {
                recording.crashed(t, failure);
            }
            logSafely((t.cancelled ? "task failed in its cleanup after being cancelled: " : "task crashed: ") + t
                    + Crashes.at(failure), failure);
            if (!t.joined) {
                crashes.remember(t);
            }
        }
    }

    /**
     * Logs an error without letting logging break the kernel: the first use of the platform logger
     * loads classes and data files, which fails when the process is out of file descriptors.
     */
    static void logSafely(String message, @Nullable Throwable failure) {
        log(System.Logger.Level.ERROR, message, failure);
    }

    private static void log(System.Logger.Level level, String message, @Nullable Throwable failure) {
        try {
            LOG.log(level, message, failure);
        } catch (RuntimeException | LinkageError e) {
            System.err.println("curio: " + message + " (" + failure + "; logging failed: " + e + ")");
        }
    }

    // ------------------------------------------------------------------ traps

    <R> R suspend(KernelTask<?> t, Trap.Suspending<R> trap) throws CancelledException {
        if (observed) {
            trapIssued(t, trap);
        }
        if (t.allowCancel && t.pendingCancel != null) {
            Exception e = t.pendingCancel;
            t.pendingCancel = null;
            throw deliver(t, e);
        }
        if (t.cancelDelivered && !t.swallowWarned) {
            checkSwallowed(t, trap);
        }
        boolean suspends = switch (trap) {
            case ReadWait(Pollable source) -> io.waitRead(t, source);
            case WriteWait(Pollable source) -> io.waitWrite(t, source);
            case FutureWait(CompletableFuture<?> future) -> waitFuture(t, future);
            case Sleep(long deadline) -> sleep(t, deadline);
            case SchedWait(WaitQueue queue, String state) -> park(t, WaitQueues.park(queue, t, kernel), state);
        };
        if (suspends) {
            switchOut(t, trap);
        }
        Object value = t.resumeValue;
        Throwable error = t.resumeError;
        t.resumeValue = null;
        t.resumeError = null;
        if (error != null) {
            throw deliver(t, error);
        }
        @SuppressWarnings("unchecked")
        R answer = (R) value;
        return answer;
    }

    @SuppressWarnings("unchecked")
    <R> R immediate(KernelTask<?> t, Trap.Immediate<R> trap) {
        if (observed && !(trap instanceof Budget)) {
            trapIssued(t, trap);
        }
        Object answer = switch (trap) {
            case IoRelease(Pollable source) -> release(source);
            case Spawn<?>(Callable<?> body, String name, boolean daemon) -> newTask(t, body, name, daemon);
            case CancelTask(Task<?> target, Exception exception) -> cancel(own(target), exception);
            case SchedWake(WaitQueue queue, int n) -> WaitQueues.wake(queue, n, kernel, w -> wake(own(w), null));
            case GetKernel<?>(Class<?> type) -> kernelAs(type);
            case GetCurrent() -> t;
            case SetTimeout(long deadline) -> setTimeout(t, deadline);
            case UnsetTimeout(long previous) -> unsetTimeout(t, previous);
            case Clock() -> clock.nanoTime();
            case Budget() -> drawBudget(t);
            case Trap.TaskState<?> state -> taskState(t, state);     // apart: keeps this method small
        };
        return (R) answer;
    }

    /** Carries out a trap on what the kernel keeps for library code about a task. */
    private @Nullable Object taskState(KernelTask<?> t, Trap.TaskState<?> trap) {
        return switch (trap) {
            case GetSlot<?>(Task<?> target, TaskSlot<?> slot) -> own(target).slot(slot);
            case SetSlot<?>(Task<?> target, TaskSlot<?> slot, Object value) -> own(target).slot(slot, value);
            case AllowCancel(boolean allow) -> allowCancel(t, allow);
            case SetCancellation(Exception exception) -> setCancellation(t, exception);
            case WakeOnExit(Task<?> target, WaitQueue queue) -> wakeOnExit(own(target), queue);
        };
    }

    /**
     * Warns, once per task, when a task that cancel() was delivered to blocks again with nothing to
     * end the wait: no timeout of its own and not shielded. Cleanup code may block after a
     * cancellation (curio's rule), but it needs a timeout; a task that does this almost always
     * caught the CancelledException and went on, and whoever called cancel() now waits for it.
     */
    private void checkSwallowed(KernelTask<?> t, Trap.Suspending<?> trap) {
        if (!t.allowCancel || t.timeout != Trap.NO_DEADLINE || trap instanceof Sleep) {
            return;
        }
        t.swallowWarned = true;
        log(System.Logger.Level.WARNING, t + " was cancelled, but blocks again in " + trap.getClass().getSimpleName()
                + " with no timeout, at " + CallSite.describe()
                + ": was its CancelledException caught and dropped? (cleanup that must block needs"
                + " Timeouts.after or Cancellation.shield; whoever called cancel() waits for this task)", null);
    }

    private void trapIssued(KernelTask<?> t, Trap<?> trap) {
        for (Activation a : activations) {
            a.trap(t, trap);
        }
    }

    private static CancelledException deliver(KernelTask<?> t, Throwable e) throws CancelledException {
        if (t.cancelled) {
            t.cancelDelivered = true;
        }
        if (e instanceof CancelledException c) {
            BlockedAt.note(c, t);                       // on the task's stack: where the cancellation reached it
            throw c;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new CurioException("unexpected exception delivered to task", e);
    }

    private void switchOut(KernelTask<?> t, Trap<?> trap) {
        t.lastTrap = trap;
        try {
            t.coroutine.suspend();
        } catch (IllegalStateException pinned) {
            // The continuation could not yield: undo the wait as if it had never started.
            if (t.cancelFunc != null) {
                t.cancelFunc.run();
                t.cancelFunc = null;
            } else {
                ready.removeLastOccurrence(t);
            }
            t.resumeValue = null;
            t.state = "RUNNING";
            throw pinned;
        }
    }

    private Long tickClockBoxed() {
        Long boxed = tickClockBoxed;
        if (boxed == null || boxed != tickClock) {
            boxed = tickClockBoxed = tickClock;
        }
        return boxed;
    }

    /** Marks {@code t} as blocked in {@code state}; {@code cancelFunc} undoes the wait. Always true. */
    boolean park(KernelTask<?> t, Runnable cancelFunc, String state) {
        t.state = state;
        t.cancelFunc = cancelFunc;
        return true;
    }

    /** Resumes a blocked task with {@code value}. */
    void wake(KernelTask<?> t, @Nullable Object value) {
        t.resumeValue = value;
        reschedule(t);
    }

    private void reschedule(KernelTask<?> t) {
        enqueue(t);
        if (observed) {
            for (Activation a : activations) {
                a.woken(t);
            }
        }
    }

    private void enqueue(KernelTask<?> t) {
        ready.addLast(t);
        t.state = "READY";
        t.cancelFunc = null;
    }

    /**
     * Checks that {@code task} is one of this kernel's tasks. Every trap that names a task goes
     * through here, and so does every wake-up: no path may resume a task on a kernel that does not
     * own it (wait queues refuse a second kernel's tasks before this is reached).
     */
    private KernelTask<?> own(Object task) {
        if (task instanceof KernelTask<?> t && t.scheduler == this) {
            return t;
        }
        throw new IllegalArgumentException(task + " belongs to another kernel than " + kernel
                + "; a task can be joined, cancelled or woken only by tasks of its own kernel"
                + " (from elsewhere, use requestCancel(), which works from any thread)");
    }

    private <T> KernelTask<T> newTask(@Nullable KernelTask<?> parent, Callable<? extends T> body, String name,
                                      boolean daemon) {
        KernelTask<T> task = new KernelTask<>(this, parent, body, name, daemon);
        linkLive(task);
        enqueue(task);
        for (Activation a : activations) {
            a.created(task);
        }
        TaskEvents recording = events;
        if (recording != null) {
            recording.spawned(task);
        }
        return task;
    }

    private Object kernelAs(Class<?> type) {
        if (!type.isInstance(kernel)) {
            throw new ClassCastException("GetKernel(" + type.getName() + "): the kernel is a "
                    + kernel.getClass().getName() + "; ask for that type or one of its supertypes");
        }
        return kernel;
    }

    private static Boolean allowCancel(KernelTask<?> t, boolean allow) {
        boolean previous = t.allowCancel;
        t.allowCancel = allow;
        return previous;
    }

    private static @Nullable Exception setCancellation(KernelTask<?> t, @Nullable Exception exception) {
        Exception previous = t.pendingCancel;
        t.pendingCancel = exception;
        return previous;
    }

    private static Boolean wakeOnExit(KernelTask<?> target, WaitQueue queue) {
        if (target.terminated) {
            return false;
        }
        if (target.exitWatchers == null) {
            target.exitWatchers = new ArrayList<>(2);
        }
        target.exitWatchers.add(queue);
        return true;
    }

    /** Draws one unit of {@code t}'s budget; true if it was spent already, so the task must yield first. */
    private boolean drawBudget(KernelTask<?> t) {
        return ++t.budgetSpent > budget;
    }

    private boolean sleep(KernelTask<?> t, long deadline) {
        if (deadline == Trap.YIELD_DEADLINE) {
            // Curio.schedule(): a plain yield, answered with the clock of the current turn, which
            // spares a clock read and an allocation on the hottest switch of all.
            t.resumeValue = tickClockBoxed();
            reschedule(t);
            return true;
        }
        long now = clock.nanoTime();
        if (deadline <= now) {
            t.resumeValue = now;
            reschedule(t);
            return true;
        }
        TimerQueue.Entry timer = t.sleepTimer;
        if (timer == null) {
            timer = t.sleepTimer = new TimerQueue.Entry(timers, t, true);
        }
        timers.arm(timer, deadline);
        return park(t, timer, "TIME_SLEEP");
    }

    private boolean waitFuture(KernelTask<?> t, CompletableFuture<?> future) {
        if (future.isDone()) {
            return false;
        }
        t.future = future;
        futureWaiters++;
        future.whenComplete((v, e) -> handOff(() -> futureDone(t, future)));
        return park(t, () -> {
            t.future = null;
            futureWaiters--;
        }, "FUTURE_WAIT");
    }

    private void futureDone(KernelTask<?> t, CompletableFuture<?> future) {
        if (t.future != future) {
            return;                     // the wait was abandoned (cancelled, timed out) in the meantime
        }
        t.future = null;
        futureWaiters--;
        wake(t, null);
    }

    private @Nullable Object release(Pollable source) {
        io.release(source);
        return null;
    }

    private @Nullable Object cancel(KernelTask<?> target, Exception exception) {
        if (target.cancelled || target.terminated) {
            return null;
        }
        target.cancelled = true;
        if (observed) {
            for (Activation a : activations) {
                a.cancelled(target, exception);
            }
        }
        TaskEvents recording = events;
        if (recording != null) {
            recording.cancelled(target, exception, currentTask(), target.allowCancel && target.cancelFunc != null);
        }
        disarmTimeout(target);                          // a cancelled task's timeout no longer matters
        target.timeout = Trap.NO_DEADLINE;
        target.pendingCancel = exception;
        if (!target.allowCancel || target.cancelFunc == null) {
            return null;                                // delivered at its next cancellation point
        }
        target.cancelFunc.run();
        target.resumeError = exception;
        target.pendingCancel = null;
        reschedule(target);
        return null;
    }

    private long setTimeout(KernelTask<?> t, long deadline) {
        long previous = t.timeout;
        if (deadline < previous) {
            armTimeout(t, deadline);
        }
        return previous;
    }

    private long unsetTimeout(KernelTask<?> t, long previous) {
        disarmTimeout(t);
        long now = clock.nanoTime();
        if (previous != Trap.NO_DEADLINE) {
            armTimeout(t, previous);    // one already past fires at the next expiry, not inside this trap
        } else {
            t.timeout = Trap.NO_DEADLINE;
        }
        if (!(previous != Trap.NO_DEADLINE && previous < now) && t.pendingCancel instanceof TaskTimeoutException) {
            t.pendingCancel = null;     // the block that timed out has been left
        }
        return now;
    }

    private void armTimeout(KernelTask<?> t, long deadline) {
        TimerQueue.Entry timer = t.timeoutTimer;
        if (timer == null) {
            timer = t.timeoutTimer = new TimerQueue.Entry(timers, t, false);
        }
        timers.arm(timer, deadline);
        t.timeout = deadline;
    }

    private void disarmTimeout(KernelTask<?> t) {
        if (t.timeoutTimer != null) {
            timers.remove(t.timeoutTimer);
        }
    }

    // ------------------------------------------------------------------ other threads

    /**
     * Runs {@code action} on the kernel at its next hand-off phase. Any thread.
     *
     * @param action what to run; it must not block
     */
    public void handOff(Runnable action) {
        handoffs.add(action);
        poller.wakeup();
    }

    /**
     * Cancels {@code t} at the kernel's next turn, without waiting. Any thread.
     *
     * @param t         one of this kernel's tasks
     * @param exception what it receives
     */
    void requestCancel(KernelTask<?> t, Exception exception) {
        if (!t.terminated) {
            handOff(() -> cancel(t, exception));
        }
    }

    /**
     * Cancels the main task of the run in progress, if any, at the kernel's next turn. Any thread.
     *
     * @param exception what the main task receives
     * @return whether a run was in progress
     */
    public boolean cancelMain(Exception exception) {
        KernelTask<?> main = mainTask;
        if (main == null) {
            return false;
        }
        requestCancel(main, exception);
        return true;
    }

    // ------------------------------------------------------------------ introspection and shutdown

    private void linkLive(KernelTask<?> t) {
        t.olderLive = newest;
        if (newest == null) {
            oldest = t;
        } else {
            newest.newerLive = t;
        }
        newest = t;
        liveTasks++;
    }

    private void unlinkLive(KernelTask<?> t) {
        if (t.olderLive == null) {
            oldest = t.newerLive;
        } else {
            t.olderLive.newerLive = t.newerLive;
        }
        if (t.newerLive == null) {
            newest = t.olderLive;
        } else {
            t.newerLive.olderLive = t.olderLive;
        }
        t.olderLive = null;
        t.newerLive = null;
        liveTasks--;
    }

    /** {@return the live tasks, oldest first} */
    public List<KernelTask<?>> tasks() {
        List<KernelTask<?>> list = new ArrayList<>(liveTasks);
        for (KernelTask<?> t = oldest; t != null; t = t.newerLive) {
            list.add(t);
        }
        return list;
    }

    /** {@return the number of live tasks} */
    public int liveTasks() {
        return liveTasks;
    }

    /** {@return the number of armed timers (sleeps and timeouts)} */
    public int armedTimers() {
        return timers.size();
    }

    /** {@return the number of descriptors registered with the poller} */
    public int registrations() {
        return io.registrations();
    }

    /** {@return the number of tasks waiting for a future} */
    public int futureWaiters() {
        return futureWaiters;
    }


    /** {@return a description of every live task and where it is blocked} */
    public String dump() {
        StringBuilder sb = new StringBuilder();
        for (KernelTask<?> t : tasks()) {
            sb.append("  ").append(t);
            List<StackTraceElement> where = t.where();
            if (!where.isEmpty()) {
                sb.append(" at ").append(where.getFirst());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Releases the poller and every registration. */
    public void close() {
        FlightRecording.unregister(this);
        io.releaseAll();
        poller.close();
    }

    // ------------------------------------------------------------------ read-only views for the monitor

    /** {@return the number of tasks ready to run; exact on the kernel thread, a racy estimate elsewhere} */
    public int readyTasks() {
        return ready.size();
    }

    /** {@return the number of hand-offs from other threads waiting for the next turn} Any thread. */
    public int pendingHandOffs() {
        return handoffs.size();
    }

    /** {@return the thread the loop runs on now, or null between runs} Any thread. */
    public @Nullable Thread loopThread() {
        return loopThread;
    }

    /** {@return whether tasks run on virtual threads (otherwise on continuations of the loop thread)} */
    public boolean virtualBackend() {
        return backend == Backend.VIRTUAL;
    }

    /** {@return the kernel clock's reading now} Any thread, as the clock itself allows. */
    public long clockNow() {
        return clock.nanoTime();
    }

    /**
     * Returns the live tasks, oldest first, read from another thread without the kernel's help, for a
     * monitor that must answer while the kernel is busy. The list may miss a task created or include
     * one ended during the walk; it cannot loop, since a live task's link only ever points to a task
     * created after it (ids rise strictly), and it stops at {@code limit} tasks.
     *
     * @param limit the most tasks to return
     * @return the tasks seen
     */
    public List<KernelTask<?>> tasksRacy(int limit) {
        List<KernelTask<?>> list = new ArrayList<>();
        long lastId = 0;
        for (KernelTask<?> t = oldest; t != null && list.size() < limit; t = t.newerLive) {
            if (t.id() <= lastId) {
                break;                                   // a stale link: stop rather than revisit
            }
            lastId = t.id();
            list.add(t);
        }
        return list;
    }

    /** {@return the task running now, if the caller is one of this kernel's tasks} */
    public @Nullable KernelTask<?> currentTask() {
        return TrapHandler.current() instanceof KernelTask<?> t && t.scheduler == this ? t : null;
    }
}
