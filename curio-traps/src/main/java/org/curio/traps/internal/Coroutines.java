package org.curio.traps.internal;

import org.curio.traps.spi.TrapHandler;
import org.jspecify.annotations.Nullable;

/** Which task's trap handler is current on this thread. */
public final class Coroutines {
    /*
     * Implementation notes. Each thread has one mutable Slot, found with a single ThreadLocal read.
     * On the virtual-thread backend every task has its own thread, so its slot is filled once when
     * the thread starts. On the continuation backend all tasks of a kernel share the kernel's thread:
     * the coroutine swaps its handler into the slot around each resume, which costs two field writes
     * rather than ThreadLocal updates on the switch path.
     */
    private static final ThreadLocal<Slot> SLOT = ThreadLocal.withInitial(Slot::new);

    private Coroutines() {}

    /** The current handler of one thread. */
    static final class Slot {
        @Nullable TrapHandler handler;                  // owned by the slot's thread
    }

    /** {@return the trap handler of the task running on this thread, or null outside any task} */
    public static @Nullable TrapHandler currentHandler() {
        return SLOT.get().handler;
    }

    static Slot slot() {
        return SLOT.get();
    }
}
