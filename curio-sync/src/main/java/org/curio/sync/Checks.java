package org.curio.sync;

import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/** Checks shared by the task-only primitives: that the caller is a task, and who it is. */
final class Checks {
    private static final Trap.GetCurrent GET_CURRENT = new Trap.GetCurrent();

    private Checks() {}

    /**
     * Checks that the caller is a curio task.
     *
     * @param what the primitive and method, such as {@code "Event.set"}
     * @throws IllegalStateException if it is not, naming {@code what}
     */
    static void inTask(String what) {
        if (!Traps.inTask()) {
            throw outsideTask(what, null);
        }
    }

    /**
     * Returns the calling task.
     *
     * @param what the primitive and method, for the message if the caller is not a task
     * @return the calling task
     * @throws IllegalStateException if the caller is not a curio task, naming {@code what}
     */
    static Task<?> currentTask(String what) {
        try {
            return Traps.call(GET_CURRENT);
        } catch (IllegalStateException e) {
            throw outsideTask(what, e);
        }
    }

    private static IllegalStateException outsideTask(String what, @Nullable IllegalStateException cause) {
        IllegalStateException e = new IllegalStateException(what + " called outside any curio task (thread "
                + Thread.currentThread().getName() + "); it is for the tasks of one kernel: plain threads can use "
                + "UniversalQueue, UniversalEvent or UniversalResult");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
