package org.curio.kernel.internal.jfr;

import java.util.List;

import org.curio.kernel.internal.Frames;
import org.curio.kernel.internal.KernelTask;
import org.curio.kernel.internal.TaskEvents;
import org.curio.traps.CancelledException;
import org.jspecify.annotations.Nullable;

/**
 * One kernel's task events, installed on it while a recording runs. Each event names the kernel and the
 * task, because on the continuation backend every event's thread is the kernel's. Runs on the kernel;
 * {@link #cycles} is also read by the recorder's thread for the statistics event.
 */
final class KernelEvents implements TaskEvents {
    private static final int STACK_FRAMES = 16;

    private final String kernel;
    volatile long cycles;                    // written by the kernel only; read by the periodic event

    KernelEvents(String kernel) {
        this.kernel = kernel;
    }

    String kernel() {
        return kernel;
    }

    @Override
    public void spawned(KernelTask<?> task) {
        TaskSpawnEvent e = new TaskSpawnEvent();
        if (e.isEnabled()) {
            e.about(kernel, task);
            e.parentId = task.parentId().orElse(0);
            e.daemon = task.isDaemon();
            e.commit();
        }
    }

    @Override
    public @Nullable Object running(KernelTask<?> task) {
        cycles = cycles + 1;                 // one writer: no lost updates
        LongRunEvent e = new LongRunEvent();
        if (!e.isEnabled()) {
            return null;
        }
        e.begin();
        return e;
    }

    @Override
    public void ran(KernelTask<?> task, @Nullable Object token) {
        if (token instanceof LongRunEvent e) {
            e.end();
            if (e.shouldCommit()) {
                e.about(kernel, task);
                e.suspendedOn = task.isFinished() ? "terminated" : task.suspendedOn();
                e.stack = describe(task.suspendedAt());
                e.commit();
            }
        }
    }

    private static String describe(List<StackTraceElement> frames) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < frames.size() && i < STACK_FRAMES; i++) {
            sb.append(i == 0 ? "" : "\n").append(Frames.describe(frames.get(i)));
        }
        if (frames.size() > STACK_FRAMES) {
            sb.append("\n... ").append(frames.size() - STACK_FRAMES).append(" more");
        }
        return sb.toString();
    }

    @Override
    public void terminated(KernelTask<?> task, @Nullable Throwable failure) {
        TaskEndEvent e = new TaskEndEvent();
        if (e.isEnabled()) {
            e.about(kernel, task);
            e.outcome = failure == null ? "returned" : failure instanceof CancelledException ? "cancelled" : "failed";
            e.cycles = task.cycles();
            e.commit();
        }
    }

    @Override
    public void crashed(KernelTask<?> task, Throwable failure) {
        TaskCrashEvent e = new TaskCrashEvent();
        if (e.isEnabled()) {
            e.about(kernel, task);
            e.exceptionClass = failure.getClass().getName();
            e.message = failure.getMessage();
            StackTraceElement at = Frames.firstUser(failure.getStackTrace());
            e.thrownAt = at == null ? null : Frames.describe(at);
            e.commit();
        }
    }

    @Override
    public void cancelled(KernelTask<?> task, Exception exception, @Nullable KernelTask<?> by, boolean blocked) {
        TaskCancelEvent e = new TaskCancelEvent();
        if (e.isEnabled()) {
            e.about(kernel, task);
            e.requestedById = by == null ? 0 : by.id();
            e.requestedBy = by == null ? "another thread" : by.name();
            e.exceptionClass = exception.getClass().getName();
            e.message = exception.getMessage();
            e.deliveredAtOnce = blocked;
            e.commit();
        }
    }

    @Override
    public void timedOut(KernelTask<?> task, boolean own, String api, long timeoutNanos, long deadlineNanos) {
        TimeoutEvent e = new TimeoutEvent();
        if (e.isEnabled()) {
            e.about(kernel, task);
            e.own = own;
            e.block = api;
            e.timeout = timeoutNanos;
            e.deadline = deadlineNanos;
            e.commit();
        }
    }
}
