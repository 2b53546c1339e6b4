package org.curio.kernel.internal;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Sorts stack frames into the program's own code, curio's public API, and machinery (the trap gateway,
 * the kernel and the backends' switching: {@code org.curio.*.internal}, {@code jdk.internal.*},
 * {@code java.lang.VirtualThread}, parking), so that {@code where()}, crash reports and cancellation
 * stacks show the program's frames first, as curio's {@code debug.py} and kotlinx's recovered
 * coroutine stacks do. For diagnostics only: it may look classes up by name.
 */
public final class Frames {
    private static final String[] MACHINERY = {
        "org.curio.traps.Traps", "jdk.internal.", "java.lang.VirtualThread", "java.lang.Thread",
        "java.util.concurrent.locks.LockSupport", "java.lang.invoke.", "java.util.concurrent.ForkJoin",
    };
    private static final String[] API_PACKAGES = {
        "org.curio.traps", "org.curio.kernel", "org.curio.sync", "org.curio.io", "org.curio.ssl",
        "org.curio.workers", "org.curio.test",
    };

    private Frames() {}

    /** {@return whether {@code frame} is switching or kernel plumbing that no reader needs} */
    public static boolean machinery(StackTraceElement frame) {
        String c = frame.getClassName();
        if (c.startsWith("org.curio.") && c.contains(".internal.")) {
            return true;
        }
        for (String prefix : MACHINERY) {
            if (c.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return whether {@code frame} is not the program's own: machinery, the JDK's, or a public class
     * of one of curio's API packages} Package-private classes in those packages (a test's, say) count
     * as the program's.
     */
    public static boolean library(StackTraceElement frame) {
        if (machinery(frame)) {
            return true;
        }
        String c = frame.getClassName();
        if (c.startsWith("java.") || c.startsWith("javax.") || c.startsWith("jdk.") || c.startsWith("sun.")) {
            return true;                                   // the JDK's: the program's frame is the one that called it
        }
        int dot = c.lastIndexOf('.');
        String pkg = dot < 0 ? "" : c.substring(0, dot);
        for (String api : API_PACKAGES) {
            if (pkg.equals(api)) {
                return isPublic(c);
            }
        }
        return false;
    }

    private static boolean isPublic(String className) {
        int nested = className.indexOf('$');
        String top = nested < 0 ? className : className.substring(0, nested);
        try {
            return Modifier.isPublic(Class.forName(top, false, Frames.class.getClassLoader()).getModifiers());
        } catch (ClassNotFoundException | LinkageError e) {
            return true;
        }
    }

    /**
     * {@return {@code stack} without machinery, starting at the program's first frame} The curio calls
     * above that frame (the blocking call it made, such as {@code Lock.acquire}) are left out; if no
     * frame is the program's, the stack without machinery.
     */
    public static List<StackTraceElement> userFirst(List<StackTraceElement> stack) {
        for (int i = 0; i < stack.size(); i++) {
            if (stack.get(i).getClassName().equals("org.curio.traps.Traps")) {
                stack = stack.subList(i + 1, stack.size());        // the switch itself: differs by backend
                break;
            }
        }
        List<StackTraceElement> frames = new ArrayList<>(stack.size());
        boolean user = false;
        for (StackTraceElement f : stack) {
            if (machinery(f)) {
                continue;
            }
            user |= !library(f);
            if (user) {
                frames.add(f);
            }
        }
        if (!user) {
            for (StackTraceElement f : stack) {
                if (!machinery(f)) {
                    frames.add(f);
                }
            }
        }
        return frames;
    }

    /** {@return {@code frame} as {@code Class.method(File.java:12)}, without module or loader} */
    public static String describe(StackTraceElement frame) {
        String file = frame.getFileName();
        return frame.getClassName() + "." + frame.getMethodName() + "("
                + (file == null ? "Unknown Source" : file + (frame.getLineNumber() >= 0 ? ":" + frame.getLineNumber() : ""))
                + ")";
    }

    /** {@return the first frame of {@code stack} that is the program's own, or null} */
    public static @Nullable StackTraceElement firstUser(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            if (!library(f)) {
                return f;
            }
        }
        return null;
    }

    /** {@return the first curio API frame above the program's first frame, or null} */
    public static @Nullable StackTraceElement blockingCall(List<StackTraceElement> stack) {
        StackTraceElement call = null;
        for (StackTraceElement f : stack) {
            if (machinery(f)) {
                continue;
            }
            if (!library(f)) {
                return call;
            }
            call = f;
        }
        return call;
    }
}
