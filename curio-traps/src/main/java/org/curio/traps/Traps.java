package org.curio.traps;

import java.lang.reflect.Modifier;

import org.curio.traps.internal.Coroutines;
import org.curio.traps.spi.TrapHandler;
import org.jspecify.annotations.Nullable;

/**
 * Issues traps from the calling task to its kernel.
 *
 * {@snippet :
 * long now = Traps.call(new Trap.Clock());                        // immediate: never switches
 * Traps.call(new Trap.Sleep(now + 1_000_000));                    // suspending: may be cancelled
 * }
 *
 * <p>A yield is a {@link Trap.Sleep} with the deadline {@link Trap#YIELD_DEADLINE} (curio's
 * {@code sleep(0)}): the task goes to the back of the ready queue and is answered with the clock read
 * at the start of the kernel's turn; {@code Curio.schedule()} and the cooperative budget's forced
 * yield issue it.
 *
 * <p>A trap issued outside any task (from a plain thread, or after the task's kernel has gone) fails
 * with an {@link IllegalStateException} that names the library call that needs a task.
 */
public final class Traps {
    private static final Trap.Budget BUDGET = new Trap.Budget();
    private static final Trap.Sleep YIELD = new Trap.Sleep(Trap.YIELD_DEADLINE);

    private Traps() {}

    /**
     * Suspends the calling task until the kernel has carried out {@code trap}, and answers its value.
     *
     * @param trap the request
     * @param <R>  the type of the answer
     * @return the kernel's answer
     * @throws CancelledException    if the task is cancelled or times out before or while waiting
     * @throws IllegalStateException if the caller is not a curio task
     */
    public static <R> R call(Trap.Suspending<R> trap) throws CancelledException {
        TrapHandler handler = handler(trap);
        try {
            return handler.suspend(trap);
        } catch (CancelledException e) {
            e.deliveredAt(trap);                         // for its message; no stack walk here
            throw e;
        }
    }

    /**
     * Carries out {@code trap} at once and answers its value. Never suspends.
     *
     * @param trap the request
     * @param <R>  the type of the answer
     * @return the kernel's answer
     * @throws IllegalStateException if the caller is not a curio task
     */
    public static <R> R call(Trap.Immediate<R> trap) {
        return handler(trap).immediate(trap);
    }

    /**
     * Draws one unit of the calling task's cooperative budget (see {@link Trap.Budget}); if it is spent,
     * suspends the calling task until every other ready task has had its turn, the kernel has polled
     * for I/O and expired its timers, then draws on the fresh budget and returns. Operations that may wait (socket
     * and stream reads and writes, queue puts and gets) call this once, before they do any work, so a
     * cancellation delivered at the forced yield never loses bytes or items.
     *
     * @throws CancelledException    if the task is cancelled or times out at the forced yield
     * @throws IllegalStateException if the caller is not a curio task
     */
    public static void consumeBudget() throws CancelledException {
        if (call(BUDGET)) {
            call(YIELD);
            call(BUDGET);                                   // the operation counts against the fresh budget
        }
    }

    /** {@return whether the calling code runs as a curio task} */
    public static boolean inTask() {
        return Coroutines.currentHandler() != null;
    }

    private static TrapHandler handler(Trap<?> trap) {
        TrapHandler handler = Coroutines.currentHandler();
        if (handler == null) {
            throw outsideTask(trap);
        }
        return handler;
    }

    /** {@return whether the public classes of {@code pkg} are the library's API (tests and examples are not)} */
    private static boolean isApi(String pkg) {
        return switch (pkg) {
            case "org.curio.traps", "org.curio.kernel", "org.curio.sync", "org.curio.io", "org.curio.ssl",
                 "org.curio.workers" -> true;
            default -> false;
        };
    }

    /**
     * Makes the error for a trap issued outside any task. It names the library call the program made
     * (the outermost public method of the library on the stack, such as {@code Timeouts.sleep}) rather
     * than the trap, which the program never saw.
     */
    private static IllegalStateException outsideTask(Trap<?> trap) {
        String call = libraryCall();
        return new IllegalStateException((call == null ? "Traps.call" : call)
                + " called outside any curio task (thread " + Thread.currentThread().getName()
                + "); it works only in a task: start the program with Curio.run or Kernel.run and call it from there"
                + " (trap " + trap.getClass().getSimpleName() + ")");
    }

    private static @Nullable String libraryCall() {
        try {
            return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> {
                String found = null;
                for (var it = frames.iterator(); it.hasNext(); ) {
                    StackWalker.StackFrame frame = it.next();
                    Class<?> c = frame.getDeclaringClass();
                    String pkg = c.getPackageName();
                    boolean library = isApi(pkg) || isInternal(pkg);
                    if (!library) {
                        break;
                    }
                    // Package-private classes (the library's helpers, tests in its packages) are passed
                    // over: the call wanted is the outermost public one before the program's own code.
                    String method = frame.getMethodName();
                    if (method.startsWith("lambda$") || method.startsWith("<")) {
                        continue;
                    }
                    if (isApi(pkg) && Modifier.isPublic(c.getModifiers())) {
                        found = apiName(c) + "." + method;
                    } else if (isInternal(pkg)) {
                        String viaInterface = apiInterface(c, method);  // such as Task for the kernel's task
                        found = viaInterface == null ? found : viaInterface + "." + method;
                    }
                }
                return found;
            });
        } catch (RuntimeException e) {
            return null;                                 // the message loses a detail, nothing more
        }
    }

    private static String apiName(Class<?> c) {
        return c.getName().substring(c.getPackageName().length() + 1).replace('$', '.');
    }

    /** {@return the public library interface of {@code c} that declares {@code method}, or null} */
    private static @Nullable String apiInterface(Class<?> c, String method) {
        for (Class<?> i : c.getInterfaces()) {
            if (isApi(i.getPackageName()) && Modifier.isPublic(i.getModifiers())) {
                for (var m : i.getMethods()) {
                    if (m.getName().equals(method)) {
                        return apiName(i);
                    }
                }
            }
        }
        return null;
    }

    private static boolean isInternal(String pkg) {
        int dot = pkg.indexOf('.', "org.curio.".length());
        return pkg.startsWith("org.curio.") && dot > 0 && isApi(pkg.substring(0, dot));
    }
}
