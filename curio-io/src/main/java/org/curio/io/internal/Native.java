package org.curio.io.internal;

import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * What every foreign call of this package shares ({@link Libc}, {@link Spawn}, {@link Pidfd}): the
 * linker, the layout that captures {@code errno}, and the wrapper that runs a downcall.
 */
final class Native {
    /** The platform's linker; its default lookup finds libc's functions. */
    static final Linker LINKER = Linker.nativeLinker();
    /** The call state a downcall made with {@code captureCallState("errno")} fills in. */
    static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private Native() {}

    /**
     * {@return the {@code errno} a downcall captured}
     *
     * @param state the call state passed to the downcall
     */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** A downcall; {@code invokeExact} declares {@code Throwable}. */
    @FunctionalInterface
    interface Downcall {
        /**
         * Makes the call.
         *
         * @return what the function returned
         * @throws Throwable never, in fact: a downcall throws nothing checked
         */
        Object call() throws Throwable;
    }

    /**
     * Runs {@code call}, passing on unchecked exceptions and wrapping the checked ones {@code invokeExact}
     * declares but a downcall never throws.
     *
     * @param call the downcall
     * @return what it returned
     */
    @SuppressWarnings("IllegalCatch")
    static Object invoke(Downcall call) {
        try {
            return call.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {   // invokeExact declares Throwable; a downcall throws nothing checked
            throw new IllegalStateException("native call failed", e);
        }
    }
}
