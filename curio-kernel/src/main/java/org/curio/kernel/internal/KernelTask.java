package org.curio.kernel.internal;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskException;
import org.curio.traps.TaskSlot;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.WaitQueue;
import org.curio.traps.spi.Coroutine;
import org.curio.traps.spi.TrapHandler;
import org.curio.traps.spi.WaitQueues;
import org.jspecify.annotations.Nullable;

/**
 * The kernel's task: the public {@link Task} view, the task's trap handler, and the per-task state
 * the kernel keeps (curio's {@code Task} attributes).
 *
 * @param <T> the type of the result
 */
public final class KernelTask<T> implements Task<T>, TrapHandler {
    /*
     * Implementation notes. Every field is owned by the kernel: it is read and written by the loop
     * and by trap handlers, which run on this or another task's stack while the loop waits. Fields
     * that are only needed by some tasks (timer entries, the join queue, slots) are created lazily,
     * which keeps a blocked task small (a million sleeping tasks is a design target).
     */
    private static final AtomicLong IDS = new AtomicLong();

    final KernelLoop scheduler;
    private final long id = IDS.incrementAndGet();
    private final String name;
    private final long parentId;                          // 0: none
    private final boolean daemon;
    private @Nullable Callable<? extends T> body;        // dropped when it ends: it may hold sockets
    final Coroutine coroutine;

    String state = "INITIAL";
    long cycles;
    int budgetSpent;                                      // Trap.Budget units drawn since last resumed
    @Nullable Runnable cancelFunc;                        // set while blocked; undoes the wait
    @Nullable Exception pendingCancel;                    // a cancellation waiting for a cancel point
    boolean allowCancel = true;
    boolean cancelled;
    boolean cancelDelivered;                              // a cancel() has been raised in the task
    boolean swallowWarned;                                // the "caught and dropped" warning was given
    boolean terminated;
    boolean finished;                                     // the body has returned or thrown
    boolean joined;                                       // someone looked at the outcome
    long timeout = Trap.NO_DEADLINE;                      // the deadline in force
    TimerQueue.@Nullable Entry timeoutTimer;
    TimerQueue.@Nullable Entry sleepTimer;
    @Nullable KernelTask<?> olderLive;                    // the kernel's list of live tasks
    @Nullable KernelTask<?> newerLive;
    @Nullable WaitQueue joining;
    @Nullable CompletableFuture<?> future;                // the future being waited for
    @Nullable Trap<?> lastTrap;
    @Nullable Object resumeValue;
    @Nullable Throwable resumeError;
    private @Nullable T result;
    private @Nullable Throwable failure;

    // Library state: values in slots, stored for library code (Trap.GetSlot/SetSlot), never read here.
    private @Nullable IdentityHashMap<TaskSlot<?>, Object> slots;
    @Nullable List<WaitQueue> exitWatchers;               // woken at termination (Trap.WakeOnExit)

    KernelTask(KernelLoop scheduler, @Nullable KernelTask<?> parent, Callable<? extends T> body, String name,
               boolean daemon) {
        this.scheduler = scheduler;
        this.parentId = parent == null ? 0 : parent.id;
        this.body = body;
        this.daemon = daemon;
        this.name = name;                                  // empty: "Task-<id>", made when asked for
        this.coroutine = scheduler.backend.create(this::runBody, this,
                scheduler.backend == org.curio.traps.spi.Backend.VIRTUAL ? "curio-" + name() : "", scheduler.steps);
        if (parent != null && parent.slots != null) {
            for (var e : parent.slots.entrySet()) {
                if (e.getKey().scope() == TaskSlot.Scope.INHERITED) {
                    slot(e.getKey(), e.getValue());
                }
            }
        }
    }

    /**
     * The coroutine's body. Nothing may escape it, not even an OutOfMemoryError while handling
     * another: on the virtual-thread backend the kernel waits until the body has ended and handed
     * control back, and an escaping throwable would skip that.
     */
    private void runBody() {
        Callable<? extends T> b = body;
        body = null;
        try {
            result = b.call();
        } catch (Throwable e) {
            failure = e;
        }
        finished = true;
    }

    // ---- TrapHandler: runs on this task's own stack

    @Override
    public <R> R suspend(Trap.Suspending<R> trap) throws CancelledException {
        return scheduler.suspend(this, trap);
    }

    @Override
    public <R> R immediate(Trap.Immediate<R> trap) {
        return scheduler.immediate(this, trap);
    }

    // ---- Task view

    @Override
    public long id() {
        return id;
    }

    @Override
    public String name() {
        return name.isEmpty() ? "Task-" + id : name;
    }

    @Override
    public OptionalLong parentId() {
        return parentId == 0 ? OptionalLong.empty() : OptionalLong.of(parentId);
    }

    @Override
    public boolean isDaemon() {
        return daemon;
    }

    @Override
    public String state() {
        return state;
    }

    @Override
    public long cycles() {
        return cycles;
    }

    @Override
    public boolean isTerminated() {
        return terminated;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public T join() throws CancelledException {
        await();
        dropSlots(TaskSlot.Scope.UNTIL_JOINED);
        return outcome();
    }

    @Override
    public void await() throws CancelledException {
        if (TrapHandler.current() instanceof KernelTask<?> caller && caller.scheduler != scheduler) {
            throw new IllegalArgumentException(this + " of " + scheduler.kernel + " belongs to another kernel than the calling "
                    + caller + " of " + caller.scheduler.kernel + "; a task can be joined only by tasks of its own kernel");
        }
        if (!terminated) {
            Traps.call(new Trap.SchedWait(joiningQueue(), "TASK_JOIN"));   // the queue refuses other kernels too
        }
    }

    @Override
    public void cancel() throws CancelledException {
        cancel(new TaskCancelledException());
    }

    @Override
    public void cancel(Exception exception) throws CancelledException {
        if (terminated) {
            joined = true;
            return;
        }
        Traps.call(new Trap.CancelTask(this, exception));
        await();
    }

    @Override
    public void requestCancel() {
        requestCancel(new TaskCancelledException());
    }

    @Override
    public void requestCancel(Exception exception) {
        Objects.requireNonNull(exception, "exception");
        if (TrapHandler.current() instanceof KernelTask<?> caller && caller.scheduler == scheduler) {
            if (!terminated) {
                Traps.call(new Trap.CancelTask(this, exception));
            }
        } else {
            scheduler.requestCancel(this, exception);       // any other thread: through the hand-off queue
        }
    }

    @Override
    public T result() {
        if (!terminated) {
            throw new IllegalStateException("task not terminated: " + this);
        }
        return outcome();
    }

    private T outcome() {
        joined = true;
        if (failure != null) {
            throw new TaskException("task " + name() + " failed: " + failure, failure);
        }
        return result;
    }

    @Override
    public Optional<Throwable> exception() {
        if (!terminated) {
            throw new IllegalStateException("task not terminated: " + this);
        }
        joined = true;
        return Optional.ofNullable(failure);
    }

    @Override
    public List<StackTraceElement> where() {
        if (terminated || cancelFunc == null) {
            return List.of();
        }
        // Discussion: the program's frames come first, as in curio's debug.py: the trap machinery
        // (the switch, the JDK's parking, which differ by backend) is dropped, and so are the curio
        // calls above the program's first frame (the blocking call it made, which the state names).
        return List.copyOf(Frames.userFirst(coroutine.stackTrace()));
    }

    @Override
    public String toString() {
        return "Task(id=" + id + ", name=" + name() + ")[" + state + "]";
    }

    // ---- read-only views for the monitor (plain reads: exact on the kernel thread, racy elsewhere)

    /** {@return the deadline of the timeout in force on the kernel clock, or {@code Trap.NO_DEADLINE}} */
    public long timeoutDeadline() {
        return timeout;
    }

    /** {@return the deadline of the task's sleep on the kernel clock, or {@code Trap.NO_DEADLINE} if not sleeping} */
    public long wakeDeadline() {
        TimerQueue.Entry e = sleepTimer;
        return e != null && e.armed() ? e.deadline : Trap.NO_DEADLINE;
    }

    /** {@return the task's value in {@code slot}, or null} Kernel thread only: the slot table is not thread-safe. */
    public @Nullable Object slotValue(TaskSlot<?> slot) {
        return slot(slot);
    }

    /**
     * {@return the coroutine's stack as the backend gives it, unfiltered} On the virtual-thread backend
     * any thread may call this; on the continuation backend only the kernel thread, while the task is
     * suspended (walking a continuation the kernel may resume at the same time is not safe).
     */
    public List<StackTraceElement> coroutineStack() {
        return coroutine.stackTrace();
    }

    // ---- kernel and library helpers

    WaitQueue joiningQueue() {
        WaitQueue q = joining;
        if (q == null) {
            q = joining = WaitQueues.pinnedBarrier(scheduler.kernel);
        }
        return q;
    }

    /** {@return whether the task's body has returned or thrown (it may not be terminated yet)} */
    public boolean isFinished() {
        return finished;
    }

    /**
     * {@return the program's frames where the task has just suspended, whatever it waits for (a plain
     * yield included, unlike {@link #where()}), or an empty list if it has finished}
     */
    public List<StackTraceElement> suspendedAt() {
        return finished ? List.of() : List.copyOf(Frames.userFirst(coroutine.stackTrace()));
    }

    /** {@return what the task is suspended on, such as {@code READ_WAIT}, when it has just suspended} */
    public String suspendedOn() {
        return state;
    }

    /** {@return the failure of a terminated task, without counting as having looked at it} */
    public @Nullable Throwable peekFailure() {
        return failure;
    }


    /** {@return the task's value in {@code slot}, or null} */
    @Nullable Object slot(TaskSlot<?> slot) {
        return slots == null ? null : slots.get(slot);
    }

    /** Sets the task's value in {@code slot} (null removes it); returns the previous one. */
    @Nullable Object slot(TaskSlot<?> slot, @Nullable Object value) {
        if (value == null) {
            return slots == null ? null : slots.remove(slot);
        }
        IdentityHashMap<TaskSlot<?>, Object> m = slots;
        if (m == null) {
            m = slots = new IdentityHashMap<>(4);
        }
        return m.put(slot, value);
    }

    private void dropSlots(TaskSlot.Scope scope) {
        if (slots != null) {
            slots.keySet().removeIf(k -> k.scope() == scope);
        }
    }
}
