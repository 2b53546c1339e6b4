package org.curio.kernel.internal;

import java.util.List;

import org.curio.traps.CancelledException;

/**
 * Where a task was blocked when a cancellation or timeout reached it, added to that exception as a
 * suppressed exception. The kernel makes its cancellations without a stack (they are made where the
 * cancellation is asked for), so this is the stack a reader of the exception needs: the program's
 * frames at the blocking call, first. Made only when a cancellation is delivered, on the task's own
 * stack, once per exception.
 */
final class BlockedAt extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private String message = "";

    private BlockedAt(String message) {
        super(message, null, false, true);
    }

    /** Notes on {@code e} where {@code task}, on whose stack this runs, was when {@code e} reached it. */
    static void note(CancelledException e, KernelTask<?> task) {
        for (Throwable s : e.getSuppressed()) {
            if (s instanceof BlockedAt) {
                return;
            }
        }
        BlockedAt at = new BlockedAt("");
        List<StackTraceElement> stack = List.of(at.getStackTrace());
        StackTraceElement call = Frames.blockingCall(stack);
        at.message = "task " + task.id() + " (" + task.name() + ") was blocked"
                + (call == null ? "" : " in " + simple(call.getClassName()) + "." + call.getMethodName());
        at.setStackTrace(Frames.userFirst(stack).toArray(new StackTraceElement[0]));
        e.addSuppressed(at);
    }

    @Override
    public String getMessage() {
        return message;
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
