package org.curio.kernel.internal;

import java.util.List;
import java.util.Optional;

/**
 * Describes where the calling task is, for warnings: the library call it is in and the code that
 * made it, skipping the trap machinery. Walks the stack, so it is for rare messages only.
 */
final class CallSite {
    private CallSite() {}

    /** {@return for example {@code "Socket.accept, called from Server.loop(Server.java:42)"}} */
    static String describe() {
        List<StackWalker.StackFrame> frames = StackWalker.getInstance().walk(s -> s
                .filter(f -> !plumbing(f.getClassName()))
                .limit(16)
                .toList());
        if (frames.isEmpty()) {
            return "an unknown place";
        }
        StackWalker.StackFrame call = frames.getFirst();
        Optional<StackWalker.StackFrame> caller = frames.stream()
                .filter(f -> !f.getClassName().equals(call.getClassName()))
                .findFirst();
        String name = simpleName(call.getClassName()) + "." + call.getMethodName();
        return caller.map(c -> name + ", called from " + c.getClassName() + "." + c.getMethodName()
                + "(" + c.getFileName() + ":" + c.getLineNumber() + ")").orElse(name);
    }

    private static boolean plumbing(String className) {
        return className.startsWith("org.curio.traps") || className.startsWith("org.curio.kernel.internal.")
                || className.startsWith("java.") || className.startsWith("jdk.");
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
