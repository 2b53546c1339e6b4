package org.curio.traps.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

import org.curio.traps.spi.Coroutine;
import org.curio.traps.spi.TrapHandler;
import org.jspecify.annotations.Nullable;

/** A coroutine that is a {@code jdk.internal.vm.Continuation} run on the kernel's thread. */
public final class ContinuationCoroutine extends Coroutine {
    /*
     * Implementation notes. The JDK's internal Continuation is reached through method handles held in
     * static finals, which the JIT inlines like direct calls, so this module compiles without any
     * --add-exports and loads on any JVM: only using the backend needs the export at run time.
     * A continuation cannot yield while a monitor or a native frame is on its stack; the JDK then
     * throws IllegalStateException("Pinned: <reason>") from yield, which suspend() turns into a
     * message that names the cause and the ways out.
     */
    private static final @Nullable Handles HANDLES = Handles.load();
    // Constant handles for the switch path (the JIT inlines invokeExact on static finals).
    private static final MethodHandle RUN = HANDLES == null ? null : HANDLES.run;
    private static final MethodHandle YIELD = HANDLES == null ? null : HANDLES.yield;
    private static final Object SCOPE = HANDLES == null ? new Object() : HANDLES.scope;

    private final Object continuation;
    private final TrapHandler handler;

    /**
     * Creates the coroutine.
     *
     * @param body    the task body; must not throw
     * @param handler the task's trap handler
     */
    public ContinuationCoroutine(Runnable body, TrapHandler handler) {
        this.handler = handler;
        try {
            this.continuation = handles().create.invoke(handles().scope, body);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot create a continuation", e);
        }
    }

    /** {@return whether {@code jdk.internal.vm} is exported to this module} */
    public static boolean available() {
        return HANDLES != null;
    }

    private static Handles handles() {
        Handles h = HANDLES;
        if (h == null) {
            throw new IllegalStateException("jdk.internal.vm is not exported to org.curio.traps");
        }
        return h;
    }

    @Override
    public void resume() {
        Coroutines.Slot slot = Coroutines.slot();
        TrapHandler previous = slot.handler;
        slot.handler = handler;
        try {
            RUN.invokeExact(continuation);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        } finally {
            slot.handler = previous;
        }
    }

    @Override
    public void suspend() {
        try {
            boolean yielded = (boolean) YIELD.invokeExact(SCOPE);
            assert yielded;
        } catch (IllegalStateException e) {
            throw pinned(e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static IllegalStateException pinned(IllegalStateException e) {
        String reason = String.valueOf(e.getMessage());
        String cause;
        if (reason.contains("MONITOR")) {
            cause = "it holds a monitor (a synchronized block or method is on its stack); "
                    + "use a curio lock instead, or the virtual-thread backend";
        } else if (reason.contains("NATIVE")) {
            cause = "a native frame is on its stack (a class initializer, a JNI call or a JDK upcall); "
                    + "move the blocking call out of it, or use the virtual-thread backend";
        } else if (reason.contains("CRITICAL_SECTION")) {
            cause = "it is inside a JDK critical section";
        } else {
            cause = reason;
        }
        return new IllegalStateException("a task cannot suspend here on the continuation backend: " + cause, e);
    }

    @Override
    public boolean isDone() {
        try {
            return (boolean) handles().isDone.invoke(continuation);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<StackTraceElement> stackTrace() {
        try {
            if (isDone()) {
                return List.of();
            }
            return List.of((StackTraceElement[]) handles().stackTrace.invoke(continuation));
        } catch (RuntimeException | Error e) {
            return List.of();
        } catch (Throwable e) {
            return List.of();
        }
    }

    /** The method handles of {@code jdk.internal.vm.Continuation}, if it is accessible. */
    private record Handles(Object scope, MethodHandle create, MethodHandle run, MethodHandle yield,
                           MethodHandle isDone, MethodHandle stackTrace) {
        static @Nullable Handles load() {
            Module base = Object.class.getModule();
            if (!base.isExported("jdk.internal.vm", ContinuationCoroutine.class.getModule())) {
                return null;
            }
            try {
                Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
                Class<?> contClass = Class.forName("jdk.internal.vm.Continuation");
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                Object scope = lookup.findConstructor(scopeClass, MethodType.methodType(void.class, String.class))
                        .invoke("curio");
                MethodHandle create = lookup.findConstructor(contClass,
                                MethodType.methodType(void.class, scopeClass, Runnable.class))
                        .asType(MethodType.methodType(Object.class, Object.class, Runnable.class));
                MethodHandle run = lookup.findVirtual(contClass, "run", MethodType.methodType(void.class))
                        .asType(MethodType.methodType(void.class, Object.class));
                MethodHandle yield = lookup.findStatic(contClass, "yield",
                                MethodType.methodType(boolean.class, scopeClass))
                        .asType(MethodType.methodType(boolean.class, Object.class));
                MethodHandle isDone = lookup.findVirtual(contClass, "isDone", MethodType.methodType(boolean.class))
                        .asType(MethodType.methodType(boolean.class, Object.class));
                MethodHandle stack = lookup.findVirtual(contClass, "getStackTrace",
                                MethodType.methodType(StackTraceElement[].class))
                        .asType(MethodType.methodType(StackTraceElement[].class, Object.class));
                return new Handles(scope, create, run, yield, isDone, stack);
            } catch (Throwable e) {
                return null;
            }
        }
    }
}
