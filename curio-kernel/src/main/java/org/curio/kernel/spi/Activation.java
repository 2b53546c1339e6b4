package org.curio.kernel.spi;

import org.curio.traps.Task;
import org.curio.traps.Trap;

/**
 * Observes a kernel's tasks: told when each is created, starts a run, suspends (with the trap it
 * suspended on) and terminates. Curio: {@code Activation}.
 *
 * <p>Every method runs on the kernel and must not block, suspend or throw; the defaults do nothing.
 * An activation is attached with {@code Kernel.builder().activation(a)}.
 */
public interface Activation {
    /**
     * Called once when the kernel that uses this activation is built.
     *
     * @param kernel the kernel
     */
    default void activate(Object kernel) {}

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
     * Called when a task has terminated.
     *
     * @param task the task
     */
    default void terminated(Task<?> task) {}
}
