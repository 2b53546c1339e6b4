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
     * An error in the group bookkeeping after the body (an OutOfMemoryError there, in the field)
     * becomes the task's failure; the task ends and its joiner gets it, on both backends.
     */
    @Test
    void errorAfterTheBodyIsTheTasksFailure() throws Exception {
        Logger kernelLog = Logger.getLogger("org.curio.kernel");
        Level before = kernelLog.getLevel();
        kernelLog.setLevel(Level.OFF);
        try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build()) {
            Throwable seen = kernel.run(() -> {
                Task<String> t = Curio.spawn(() -> "done");
                ((KernelTask<?>) t).group(new Object(), task -> {
                    throw new OutOfMemoryError("simulated");
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
