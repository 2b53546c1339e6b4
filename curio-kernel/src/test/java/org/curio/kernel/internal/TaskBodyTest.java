package org.curio.kernel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.logging.Level;
import java.util.logging.Logger;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.VirtualClock;
import org.curio.traps.Task;
import org.curio.traps.TaskException;
import org.junit.jupiter.api.Test;

/** Nothing escapes a task's body, so the kernel always gets control back when a task ends. */
class TaskBodyTest {
    static {
        TaskBodyTest.class.getModule().addReads(ModuleLayer.boot().findModule("java.logging").orElseThrow());
    }

    /**
     * An error at the end of the body (an OutOfMemoryError in a task group's bookkeeping, in the field)
     * becomes the task's failure; the task ends and its joiner gets it, on both backends.
     */
    @Test
    void errorAfterTheBodyIsTheTasksFailure() throws Exception {
        Logger kernelLog = Logger.getLogger("org.curio.kernel");
        Level before = kernelLog.getLevel();
        kernelLog.setLevel(Level.OFF);
        try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build()) {
            Throwable seen = kernel.run(() -> {
                // A task group's bookkeeping runs at the end of the child's body, where it can fail so.
                Task<String> t = Curio.spawn(() -> {
                    if (Task.class.isInterface()) {
                        throw new OutOfMemoryError("simulated");
                    }
                    return "done";
                });
                return assertThrows(TaskException.class, t::join).getCause();
            });
            assertInstanceOf(OutOfMemoryError.class, seen);
            assertEquals("simulated", seen.getMessage());
        } finally {
            kernelLog.setLevel(before);
        }
    }
}
