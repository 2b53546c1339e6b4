package org.curio.traps;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * A request from a task to its kernel: the kernel's whole system-call interface, one record per
 * kind of request, after curio 1.6's {@code traps.py}.
 *
 * <p>Tasks issue traps through {@link Traps#call(Trap.Suspending)} and
 * {@link Traps#call(Trap.Immediate)}; library code builds everything else (locks, queues, sockets,
 * timeouts, task groups) over these records. The family is sealed and the kernel handles it in one
 * exhaustive {@code switch}, so a new trap does not compile until the kernel carries it out.
 *
 * <p>Times are {@code long} nanoseconds on the kernel's clock ({@link Clock}); {@link #NO_DEADLINE}
 * stands for "no deadline", and {@link #YIELD_DEADLINE} given to {@link Sleep} for a plain yield.
 *
 * <p><b>Library state.</b> The kernel's task holds kernel state only. What library features keep per
 * task (the open timeout blocks, task-local values, the task group a task belongs to) lives in
 * {@linkplain TaskSlot slots} that the kernel stores without reading them ({@link GetSlot},
 * {@link SetSlot}); cancellation control is two swaps ({@link AllowCancel}, {@link SetCancellation}),
 * and a supervisor learns that a task has ended through {@link WakeOnExit}. Library code never needs
 * the kernel's own classes.
 *
 * @param <R> the type of the value the trap answers
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/traps.py">curio/traps.py</a>
 */
public sealed interface Trap<R> {

    /** The deadline that never expires. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /**
     * The deadline that makes a {@link Sleep} a plain yield (curio's {@code sleep(0)}): the task goes to
     * the back of the ready queue and is answered with the clock read at the start of the kernel's
     * turn, without a fresh read of the clock.
     */
    long YIELD_DEADLINE = Long.MIN_VALUE;

    /** A trap that may suspend the task; every such trap is a cancellation point. */
    sealed interface Suspending<R> extends Trap<R> {}

    /** A trap answered at once; it never suspends and is never a cancellation point. */
    sealed interface Immediate<R> extends Trap<R> {}

    /**
     * An immediate trap that reads or changes what the kernel keeps for library code about a task:
     * its {@linkplain TaskSlot slots}, its cancellation settings, who is woken when it ends. The kernel
     * handles these apart from the traps that every wait and wake-up issues.
     */
    sealed interface TaskState<R> extends Immediate<R> {}

    /**
     * Waits until {@code source} is readable; answers the events seen with the edge that ended the
     * wait (a read-side hang-up or an error among them), or the events of an edge that came while no
     * task waited, which the kernel kept and this wait consumed without suspending. Answers
     * {@link Readiness#NONE} if the descriptor was released during the wait. Curio: {@code _read_wait}.
     *
     * @param source the file descriptor to wait on
     */
    record ReadWait(Pollable source) implements Suspending<Readiness> {
        /** Checks the source. */
        public ReadWait {
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * Waits until {@code source} is writable; answers the events seen, as {@link ReadWait} does.
     * Curio: {@code _write_wait}.
     *
     * @param source the file descriptor to wait on
     */
    record WriteWait(Pollable source) implements Suspending<Readiness> {
        /** Checks the source. */
        public WriteWait {
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * Waits until {@code future}, completed by any thread, is done; the caller then reads its outcome.
     * Abandoning the wait (cancellation, timeout) leaves the future untouched. Curio:
     * {@code _future_wait}.
     *
     * @param future the future to wait for
     */
    record FutureWait(CompletableFuture<?> future) implements Suspending<Void> {
        /** Checks the future. */
        public FutureWait {
            Objects.requireNonNull(future, "future");
        }
    }

    /**
     * Sleeps until the kernel clock reads {@code deadlineNanos}; answers the clock on waking. A
     * deadline that has passed moves the task to the back of the ready queue, answered with a fresh
     * read of the clock; {@link #YIELD_DEADLINE} does the same as cheaply as possible (a yield: the
     * answer is the clock read at the start of the turn). Curio: {@code _sleep}, whose
     * {@code _sleep(0)} is the yield.
     *
     * @param deadlineNanos when to wake, on the kernel clock
     */
    record Sleep(long deadlineNanos) implements Suspending<Long> {}

    /**
     * Parks the task on {@code queue} until a {@link SchedWake} releases it. Curio:
     * {@code _scheduler_wait}.
     *
     * @param queue the queue to park on
     * @param state the task state shown while parked, such as {@code "EVENT_WAIT"}
     */
    record SchedWait(WaitQueue queue, String state) implements Suspending<Void> {
        /** Checks the components. */
        public SchedWait {
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * Forgets the kernel's readiness registration of {@code source}, waking any task that waits on
     * it, before the descriptor is closed. Curio: {@code _io_release}.
     *
     * @param source the file descriptor about to be closed
     */
    record IoRelease(Pollable source) implements Immediate<Void> {
        /** Checks the source. */
        public IoRelease {
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * Creates a task that runs {@code body} and puts it on the ready queue. Curio: {@code _spawn}.
     *
     * @param body   what the task runs
     * @param name   the task's name, or empty for a generated one
     * @param daemon whether the task is a daemon (runs in the background, never joined)
     * @param <T>    the type of the task's result
     */
    record Spawn<T>(Callable<? extends T> body, String name, boolean daemon) implements Immediate<Task<T>> {
        /** Checks the components. */
        public Spawn {
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Requests the cancellation of {@code task} with {@code exception}; the caller waits for the
     * termination separately. Cancelling a cancelled task does nothing. Curio: {@code _cancel_task}.
     *
     * @param task      the task to cancel
     * @param exception what the task is to receive at its cancellation point: a
     *                  {@link CancelledException} or an unchecked exception
     */
    record CancelTask(Task<?> task, Exception exception) implements Immediate<Void> {
        /** Checks the components. */
        public CancelTask {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(exception, "exception");
            if (!(exception instanceof CancelledException) && !(exception instanceof RuntimeException)) {
                throw new IllegalArgumentException(
                        "cancellation must be a CancelledException or unchecked: " + exception.getClass().getName());
            }
        }
    }

    /**
     * Wakes up to {@code n} tasks parked on {@code queue}, oldest first; answers how many it woke.
     * Curio: {@code _scheduler_wake}.
     *
     * @param queue the queue whose tasks to wake
     * @param n     the most tasks to wake
     */
    record SchedWake(WaitQueue queue, int n) implements Immediate<Integer> {
        /** Checks the components. */
        public SchedWake {
            Objects.requireNonNull(queue, "queue");
            if (n < 1) {
                throw new IllegalArgumentException("n must be positive: " + n);
            }
        }
    }

    /**
     * Answers the kernel running the calling task, as a {@code type}: library code passes the kernel's
     * public class ({@code org.curio.kernel.Kernel}), which this module cannot name, and gets it without a
     * cast; code that only compares kernels passes {@code Object.class}. If the kernel is not a
     * {@code type}, the trap throws a {@link ClassCastException} naming both types. Curio:
     * {@code _get_kernel}.
     *
     * @param type what the caller expects the kernel to be
     * @param <K>  that type
     */
    record GetKernel<K>(Class<K> type) implements Immediate<K> {
        /** Checks the type. */
        public GetKernel {
            Objects.requireNonNull(type, "type");
        }
    }

    /** Answers the calling task. Curio: {@code _get_current}. */
    record GetCurrent() implements Immediate<Task<?>> {}

    /**
     * Arms a timeout for the calling task at {@code deadlineNanos}, unless an earlier one is in force;
     * answers the deadline in force before, or {@link #NO_DEADLINE}. Curio: {@code _set_timeout}.
     *
     * @param deadlineNanos when the timeout expires, on the kernel clock
     */
    record SetTimeout(long deadlineNanos) implements Immediate<Long> {}

    /**
     * Restores the deadline {@code previous} that {@link SetTimeout} answered; answers the clock. A
     * restored deadline that has already passed fires at the task's next cancellation point, and a
     * pending timeout of the block being left is dropped. Curio: {@code _unset_timeout}.
     *
     * @param previous the deadline to restore, or {@link #NO_DEADLINE}
     */
    record UnsetTimeout(long previous) implements Immediate<Long> {}

    /** Answers the kernel clock in nanoseconds. Curio: {@code _clock}. */
    record Clock() implements Immediate<Long> {}

    /**
     * Draws one unit of the calling task's cooperative budget and answers whether the budget is spent,
     * in which case the caller must yield (a {@link Sleep} with a past deadline) before it does its work.
     * The kernel gives a task a fresh budget each time it resumes the task; I/O and queue operations draw
     * on it before they act, through {@link Traps#consumeBudget()}, so a task whose operations never have
     * to wait still gives every other task its turn (Tokio's cooperative budget; curio has none). Not
     * reported to activations: the forced yield is.
     */
    record Budget() implements Immediate<Boolean> {}

    /**
     * Answers {@code task}'s value in {@code slot}, or null if it has none. Never creates a value.
     * Curio: reading a task attribute, or a context variable.
     *
     * @param task a task of the calling task's kernel
     * @param slot the slot
     * @param <V>  the slot's value type
     */
    record GetSlot<V>(Task<?> task, TaskSlot<V> slot) implements TaskState<V> {
        /** Checks the components. */
        public GetSlot {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(slot, "slot");
        }
    }

    /**
     * Sets {@code task}'s value in {@code slot} ({@code null} removes it) and answers the previous value,
     * or null. Curio: setting a task attribute, or a context variable.
     *
     * @param task  a task of the calling task's kernel
     * @param slot  the slot
     * @param value the new value, or null
     * @param <V>   the slot's value type
     */
    record SetSlot<V>(Task<?> task, TaskSlot<V> slot, @Nullable V value) implements TaskState<V> {
        /** Checks the components. */
        public SetSlot {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(slot, "slot");
        }
    }

    /**
     * Sets whether cancellation may be delivered to the calling task at its cancellation points, and
     * answers the previous setting. While it is {@code false}, a cancellation or timeout aimed at the task
     * stays pending (see {@link SetCancellation}). Curio: the task's {@code allow_cancel}, which
     * {@code disable_cancellation} sets.
     *
     * @param allow the new setting
     */
    record AllowCancel(boolean allow) implements TaskState<Boolean> {}

    /**
     * Replaces the calling task's pending cancellation with {@code exception} ({@code null} clears it)
     * and answers the one replaced, or null; a pending cancellation is thrown at the task's next
     * cancellation point where cancellation is allowed. Curio: {@code set_cancellation}.
     *
     * @param exception the new pending cancellation: a {@link CancelledException}, an unchecked
     *                  exception, or null
     */
    record SetCancellation(@Nullable Exception exception) implements TaskState<Exception> {
        /** Checks the exception. */
        public SetCancellation {
            if (exception != null && !(exception instanceof CancelledException)
                    && !(exception instanceof RuntimeException)) {
                throw new IllegalArgumentException(
                        "cancellation must be a CancelledException or unchecked: " + exception.getClass().getName());
            }
        }
    }

    /**
     * Makes the kernel wake every task parked on {@code queue} when {@code task} terminates, after its
     * own joiners; answers false, doing nothing, if it has terminated already. A supervisor (a task
     * group) uses it to wait for whichever of several tasks ends first. Curio has no such trap: its
     * task runner reports to the task's group itself.
     *
     * @param task  a task of the calling task's kernel
     * @param queue the queue to wake
     */
    record WakeOnExit(Task<?> task, WaitQueue queue) implements TaskState<Boolean> {
        /** Checks the components. */
        public WakeOnExit {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(queue, "queue");
        }
    }
}
