package org.curio.kernel.internal.monitor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;

/**
 * Raises a signal in this process, as curio's monitor does with {@code os.kill(os.getpid(), …)}:
 * through {@code sun.misc.Signal.raise} (module jdk.unsupported), reached by method handles because
 * javac's warning for that package cannot be suppressed and the build treats warnings as errors.
 */
final class SignalRaiser {
    private SignalRaiser() {}

    /**
     * Raises signal {@code name} ({@code INT}, {@code SIGTERM}, {@code usr1}, …).
     *
     * @param name the signal's name, with or without {@code SIG}, any case
     * @return the canonical name raised, such as {@code SIGTERM}
     * @throws IllegalArgumentException if the JVM does not know the signal or will not raise it
     */
    static String raise(String name) {
        String bare = name.toUpperCase(Locale.ROOT);
        if (bare.startsWith("SIG")) {
            bare = bare.substring(3);
        }
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            MethodHandle create = lookup.findConstructor(signal, MethodType.methodType(void.class, String.class));
            MethodHandle raise = lookup.findStatic(signal, "raise", MethodType.methodType(void.class, signal));
            raise.invoke(create.invoke(bare));
            return "SIG" + bare;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown signal '" + name + "' (" + e.getMessage()
                    + "); use a name such as INT, TERM, HUP or USR1, with or without SIG", e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot raise signal " + name + ": " + e, e);
        }
    }
}
