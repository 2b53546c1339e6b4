package org.curio.traps.internal;

import org.curio.traps.spi.TrapHandler;
import org.jspecify.annotations.Nullable;

/** Which task's trap handler is current on this thread. */
public final class Coroutines {
    /*
     * Implementation notes. On the virtual-thread backend every task has its own thread, so the
     * handler is bound once when the thread starts. On the continuation backend all tasks of a kernel
     * share the kernel's thread, so the handler is swapped in around each resume.
     */
    private static final ThreadLocal<@Nullable TrapHandler> CURRENT = new ThreadLocal<>();

    private Coroutines() {}

    /** {@return the trap handler of the task running on this thread, or null outside any task} */
    public static @Nullable TrapHandler currentHandler() {
        return CURRENT.get();
    }

    static @Nullable TrapHandler swap(@Nullable TrapHandler handler) {
        TrapHandler previous = CURRENT.get();
        CURRENT.set(handler);
        return previous;
    }
}
