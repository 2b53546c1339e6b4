package org.curio.traps.spi;

import java.util.List;

/**
 * A task's body run as a coroutine: the kernel {@linkplain #resume() resumes} it, and it runs until
 * it {@linkplain #suspend() suspends} or its body ends. Exactly one side runs at a time, so kernel
 * state needs no locks.
 *
 * <p>Two backends implement it (see {@link Backend}): one virtual thread per task, each passing
 * control straight to the next by park/unpark after running the kernel's scheduling step itself, or a
 * {@code jdk.internal.vm.Continuation} per task run directly on the kernel's thread.
 */
public abstract sealed class Coroutine
        permits org.curio.traps.internal.VirtualThreadCoroutine, org.curio.traps.internal.ContinuationCoroutine {

    /** For the backends in this module. */
    protected Coroutine() {}

    /**
     * Runs the body until it suspends or ends. Called by the kernel only, on the continuation backend;
     * virtual-thread coroutines are run by their {@link Scheduler}.
     */
    public abstract void resume();

    /**
     * Gives control back to the kernel until the task is resumed. Called by the task only.
     *
     * @throws IllegalStateException if the task cannot be switched out at this point (a held monitor
     *                               or native frame on the continuation backend); nothing has been
     *                               switched and the message names the cause
     */
    public abstract void suspend();

    /** {@return whether the body has ended} */
    public abstract boolean isDone();

    /** {@return the suspended body's stack, innermost frame first, or an empty list} */
    public abstract List<StackTraceElement> stackTrace();
}
