package org.curio.kernel.spi;

import org.curio.kernel.Kernel;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.jspecify.annotations.Nullable;

/**
 * Observes a kernel's tasks: told when each is created, starts a run, issues a trap, suspends, is
 * woken, is cancelled or timed out, and terminates. Curio: {@code Activation}; the events after
 * {@link #suspended} are this library's own, so that a trace recorder sees everything the scheduler
 * decides.
 *
 * <p>Every method runs on the kernel and must not block, suspend or throw; the defaults do nothing.
 * An activation is attached with {@code Kernel.builder().activation(a)}. A kernel without
 * activations pays nothing for these calls.
 */
public interface Activation {
    /**
     * Called once when the kernel that uses this activation is built.
     *
     * @param kernel the kernel
     */
    default void activate(Kernel kernel) {}

    /**
     * Called when a task has been created and put on the ready queue.
     *
     * @param task the new task
     */
    default void created(Task<?> task) {}

    /**
     * Called just before a task runs.
     *
     * @param task the task about to run
     */
    default void running(Task<?> task) {}

    /**
     * Called when a task has stopped running because it suspended on {@code trap}.
     *
     * @param task the task
     * @param trap the trap it suspended on
     */
    default void suspended(Task<?> task, Trap<?> trap) {}

    /**
     * Called when a task issues a trap, before the kernel acts on it: every trap, whether it
     * suspends the task or not, except the cooperative budget's draws ({@code Trap.Budget}).
     *
     * @param task the task
     * @param trap the trap
     */
    default void trap(Task<?> task, Trap<?> trap) {}

    /**
     * Called when a task is put on the ready queue: made ready by a wake-up, an expired sleep, a
     * cancellation or timeout that ends its wait, or a trap that resumes it at the next turn.
     *
     * @param task the task
     */
    default void woken(Task<?> task) {}

    /**
     * Called when a task is cancelled, by {@code cancel} or by one of its timeouts expiring; the
     * exception is raised in the task at once if it is blocked, otherwise at its next blocking trap.
     *
     * @param task   the cancelled task
     * @param reason the exception it will see (a {@code TaskTimeoutException} for a timeout)
     */
    default void cancelled(Task<?> task, Exception reason) {}

    /**
     * Called when a task has terminated.
     *
     * @param task    the task
     * @param failure what it threw, or null if it returned normally
     */
    default void terminated(Task<?> task, @Nullable Throwable failure) {}

    /**
     * Called when a task other than the main task has terminated with a failure that is not a
     * cancellation, right after {@link #terminated}: a crash. The kernel also logs it at once (as
     * curio does), whoever waits for the task, so a failure in cleanup code is never lost.
     *
     * @param task    the task
     * @param failure its failure
     */
    default void crashed(Task<?> task, Throwable failure) {}

    /**
     * Called at the end of a run for each crashed task (see {@link #crashed}) that nobody has joined
     * or looked at, and that is still reachable: the kernel does not keep a finished task alive for
     * this, so a crashed task whose handle was dropped (a server's client task, say) is reported only
     * by {@link #crashed}.
     *
     * @param task    the task
     * @param failure its failure
     */
    default void unjoinedFailure(Task<?> task, Throwable failure) {}
}
