package org.curio.kernel.internal;

import java.util.List;

/**
 * Loads and initializes, once per JVM and outside any task, every class of {@code org.curio.traps}
 * and {@code org.curio.kernel} that a task may use, so that none is first loaded or initialized on a
 * task's stack. The kernel calls {@link #ensure()} when it is created.
 *
 * <p>Why: a class whose static initializer fails is unusable for the rest of the JVM (every later use
 * throws {@code NoClassDefFoundError: Could not initialize class}), and a class that fails to load
 * (the class file cannot be opened because the process is out of file descriptors) stays unresolved
 * at the place that named it. On a task's stack both are likelier than anywhere else: the continuation
 * backend cannot yield while an initializer is on the stack, tasks run deep and near their limits, and
 * servers run out of descriptors while tasks run. A failure here, in the kernel's constructor, is
 * reported to whoever creates the kernel and is retried by the next kernel created.
 *
 * <p>The classes are named in {@link #CLASSES}; a test checks that the list names every class of the
 * two modules except the {@linkplain #NOT_PRELOADED few that need not be} preloaded.
 */
public final class ClassInit {
    /*
     * Implementation notes. Names, not class literals: many of these classes are package-private to
     * other packages. Class.forName with initialize=true runs each static initializer here, on the
     * thread that creates the kernel. `done` is a plain flag: two kernels created at once may both do
     * the work, which is harmless. This class's own initializer (the lists) runs on that thread too.
     */
    private static volatile boolean done;

    /** Every class a task may touch, outermost types before their nested ones. */
    static final List<String> CLASSES = List.of(
            // org.curio.traps: the vocabulary of every trap, and the exceptions tasks see.
            "org.curio.traps.CancelledException",
            "org.curio.traps.CurioException",
            "org.curio.traps.Pollable",
            "org.curio.traps.Readiness",
            "org.curio.traps.ReadResourceBusyException",
            "org.curio.traps.ResourceBusyException",
            "org.curio.traps.Task",
            "org.curio.traps.TaskSlot",
            "org.curio.traps.TaskSlot$Scope",
            "org.curio.traps.TaskCancelledException",
            "org.curio.traps.TaskException",
            "org.curio.traps.TaskTimeoutException",
            "org.curio.traps.TimeoutCancellationException",
            "org.curio.traps.Trap",
            "org.curio.traps.Trap$AllowCancel",
            "org.curio.traps.Trap$Budget",
            "org.curio.traps.Trap$CancelTask",
            "org.curio.traps.Trap$Clock",
            "org.curio.traps.Trap$FutureWait",
            "org.curio.traps.Trap$GetCurrent",
            "org.curio.traps.Trap$GetKernel",
            "org.curio.traps.Trap$GetSlot",
            "org.curio.traps.Trap$Immediate",
            "org.curio.traps.Trap$IoRelease",
            "org.curio.traps.Trap$ReadWait",
            "org.curio.traps.Trap$SchedWait",
            "org.curio.traps.Trap$SchedWake",
            "org.curio.traps.Trap$SetCancellation",
            "org.curio.traps.Trap$SetSlot",
            "org.curio.traps.Trap$SetTimeout",
            "org.curio.traps.Trap$Sleep",
            "org.curio.traps.Trap$Spawn",
            "org.curio.traps.Trap$Suspending",
            "org.curio.traps.Trap$TaskState",
            "org.curio.traps.Trap$UnsetTimeout",
            "org.curio.traps.Trap$WakeOnExit",
            "org.curio.traps.Trap$WriteWait",
            "org.curio.traps.Traps",
            "org.curio.traps.UncaughtTimeoutException",
            "org.curio.traps.WaitQueue",                   // its initializer installs the kernel's access
            "org.curio.traps.WaitQueue$1",
            "org.curio.traps.WaitQueue$Node",
            "org.curio.traps.WriteResourceBusyException",
            "org.curio.traps.internal.ContinuationCoroutine",
            "org.curio.traps.internal.ContinuationCoroutine$Handles",
            "org.curio.traps.internal.Coroutines",
            "org.curio.traps.internal.Coroutines$Slot",
            "org.curio.traps.internal.VirtualThreadCoroutine",
            "org.curio.traps.spi.Backend",
            "org.curio.traps.spi.Coroutine",
            "org.curio.traps.spi.Scheduler",
            "org.curio.traps.spi.TrapHandler",
            "org.curio.traps.spi.WaitQueues",
            "org.curio.traps.spi.WaitQueues$Access",
            // org.curio.kernel: the library code tasks call, and the kernel's own task-side code.
            "org.curio.kernel.Body",
            "org.curio.kernel.Cancellation",
            "org.curio.kernel.Cancellation$Shield",
            "org.curio.kernel.CoroutineBackend",
            "org.curio.kernel.Curio",
            "org.curio.kernel.Kernel",
            "org.curio.kernel.Kernel$1",
            "org.curio.kernel.Kernel$2",
            "org.curio.kernel.Kernel$Builder",
            "org.curio.kernel.KernelGroup",
            "org.curio.kernel.KernelGroup$Builder",
            "org.curio.kernel.KernelGroup$EachBody",
            "org.curio.kernel.Ledger",
            "org.curio.kernel.RateLimitedLogger",
            "org.curio.kernel.TaskGroup",
            "org.curio.kernel.TaskGroup$GroupBody",
            "org.curio.kernel.TaskGroup$Wait",
            "org.curio.kernel.TaskLocal",
            "org.curio.kernel.Throwing",
            "org.curio.kernel.Timeouts",
            "org.curio.kernel.Timeouts$Deadlines",
            "org.curio.kernel.Timeouts$Expired",
            "org.curio.kernel.VirtualClock",
            "org.curio.kernel.VoidBody",
            "org.curio.kernel.internal.BlockedAt",
            "org.curio.kernel.internal.CallSite",
            "org.curio.kernel.internal.ClassInit",
            "org.curio.kernel.internal.Crashes",
            "org.curio.kernel.internal.FdOwners",
            "org.curio.kernel.internal.FlightRecording",
            "org.curio.kernel.internal.Frames",
            "org.curio.kernel.internal.GroupMember",
            "org.curio.kernel.internal.GroupMember$Submission",
            "org.curio.kernel.internal.IoWaits",
            "org.curio.kernel.internal.IoWaits$Registration",
            "org.curio.kernel.internal.KernelTask",
            "org.curio.kernel.internal.KernelLoop",
            "org.curio.kernel.internal.KernelLoop$Idle",
            "org.curio.kernel.internal.KernelLoop$Steps",
            "org.curio.kernel.internal.Signals",
            "org.curio.kernel.internal.Signals$Registration",
            "org.curio.kernel.internal.Signals$Sun",
            "org.curio.kernel.internal.TaskEvents",
            "org.curio.kernel.internal.TimerQueue",
            "org.curio.kernel.internal.TimerQueue$Entry",
            "org.curio.kernel.internal.poll.OffloadingPoller",
            "org.curio.kernel.internal.poll.ParkingPoller",
            "org.curio.kernel.internal.poll.Poller",
            "org.curio.kernel.internal.poll.Poller$Listener",
            "org.curio.kernel.internal.poll.Poller$Registration",
            "org.curio.kernel.internal.poll.Pollers",
            "org.curio.kernel.spi.Activation",
            "org.curio.kernel.spi.Holdings",
            "org.curio.kernel.spi.KernelClock");

    /** The native epoll poller's classes: preloaded only where native epoll loads. */
    static final List<String> EPOLL = List.of(
            "org.curio.kernel.internal.poll.EpollPoller",
            "org.curio.kernel.internal.poll.EpollPoller$1",
            "org.curio.kernel.internal.poll.EpollPoller$Context",
            "org.curio.kernel.internal.poll.EpollPoller$Handle");

    /**
     * The classes left out: Debug's activations are made by the program before the kernel that uses
     * them, which initializes them there; and Debug's initializer looks up a logger, which is not for
     * every kernel to pay.
     */
    static final List<String> NOT_PRELOADED = List.of(
            "org.curio.kernel.Debug", "org.curio.kernel.Debug$1", "org.curio.kernel.Debug$2",
            "org.curio.kernel.Debug$3", "org.curio.kernel.Debug$4",
            // The monitor console and JMX: they run on threads of their own and on the loop, never on a
            // task's stack; a kernel without them loads only the check for a platform MBean server.
            "org.curio.kernel.Monitor", "org.curio.kernel.Monitor$1", "org.curio.kernel.Monitor$Attachment",
            "org.curio.kernel.internal.monitor.Commands", "org.curio.kernel.internal.monitor.Commands$Target",
            "org.curio.kernel.internal.monitor.Console", "org.curio.kernel.internal.monitor.ConsoleSettings",
            "org.curio.kernel.internal.monitor.Consoles", "org.curio.kernel.internal.monitor.Json",
            "org.curio.kernel.internal.monitor.KernelInspector",
            "org.curio.kernel.internal.monitor.KernelInspector$Where",
            "org.curio.kernel.internal.monitor.KernelJmx", "org.curio.kernel.internal.monitor.Recorder",
            "org.curio.kernel.internal.monitor.Recorder$Ended", "org.curio.kernel.internal.monitor.Session",
            "org.curio.kernel.internal.monitor.SignalRaiser", "org.curio.kernel.internal.monitor.Snapshot",
            "org.curio.kernel.internal.monitor.Snapshot$Stats", "org.curio.kernel.internal.monitor.TaskInfo",
            // JFR: need jdk.jfr, so loaded only once a recording starts (Recordings initializes them then)
            "org.curio.kernel.internal.jfr.KernelEvents", "org.curio.kernel.internal.jfr.KernelStatisticsEvent",
            "org.curio.kernel.internal.jfr.LongRunEvent", "org.curio.kernel.internal.jfr.Recordings",
            "org.curio.kernel.internal.jfr.Recordings$Listener", "org.curio.kernel.internal.jfr.TaskCancelEvent",
            "org.curio.kernel.internal.jfr.TaskCrashEvent", "org.curio.kernel.internal.jfr.TaskEndEvent", "org.curio.kernel.internal.jfr.TaskEvent",
            "org.curio.kernel.internal.jfr.TaskSpawnEvent", "org.curio.kernel.internal.jfr.TimeoutEvent");

    private ClassInit() {}

    /**
     * Loads and initializes every class in {@link #CLASSES}, once per JVM. Never suspends.
     *
     * @throws IllegalStateException if one cannot be loaded or initialized, naming it; the next call
     *                               tries again (a class whose initializer failed stays unusable,
     *                               but one that could not be read may load later)
     */
    public static void ensure() {
        if (done) {
            return;
        }
        initialize(CLASSES);
        if (io.netty.channel.epoll.Epoll.isAvailable()) {
            initialize(EPOLL);
        }
        done = true;
    }

    private static void initialize(List<String> names) {
        ClassLoader kernel = ClassInit.class.getClassLoader();
        ClassLoader traps = org.curio.traps.Trap.class.getClassLoader();
        for (String name : names) {
            try {
                Class.forName(name, true, name.startsWith("org.curio.traps.") ? traps : kernel);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load or initialize curio class " + name
                        + " while creating a kernel", e);
            }
        }
    }
}
