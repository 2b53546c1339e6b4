package org.curio.kernel.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns SIGINT and SIGTERM into a request to stop the kernels that asked for it, so that every
 * task's cleanup runs before the process ends; a second signal while they stop ends the process at
 * once. Process-wide: the handlers are installed while at least one kernel is registered, and the
 * previous ones are put back when the last one leaves. A signal that was ignored when the first
 * kernel registered (a background job's SIGINT) stays ignored.
 */
public final class Signals {
    /*
     * Implementation notes. The JVM runs a signal handler on a new thread of its own; stopping a
     * kernel is thread-safe (a hand-off to its loop). The halt on a second signal uses the JVM's
     * conventional status, 128 + the signal's number, the one it would have exited with itself.
     *
     * Discussion: sun.misc.Signal (module jdk.unsupported) is the JDK's only way to handle a
     * signal. It is reached through method handles because javac's warning for that package cannot
     * be suppressed, and the build treats warnings as errors.
     */
    private static final String[] NAMES = {"INT", "TERM"};
    private static final System.Logger LOG = System.getLogger("org.curio.kernel");
    private static final Object LOCK = new Object();
    private static final List<Registration> registered = new ArrayList<>();     // guarded by LOCK
    private static final Map<Object, Object> previous = new HashMap<>();  // signal -> handler; guarded by LOCK

    private Signals() {}

    /** A kernel's registration: what to do on the first signal, and which signal came. */
    public static final class Registration implements AutoCloseable {
        private final Runnable stop;
        private volatile int signal;

        private Registration(Runnable stop) {
            this.stop = stop;
        }

        /** {@return the number of the first signal received while registered, or 0 if none} */
        public int signal() {
            return signal;
        }

        /** Leaves: the last registration to leave puts the previous handlers back. */
        @Override
        public void close() {
            synchronized (LOCK) {
                if (registered.remove(this) && registered.isEmpty()) {
                    previous.forEach(Signals::restore);
                    previous.clear();
                }
            }
        }
    }

    /**
     * Registers {@code stop} to run, on a signal handler's thread, at the first SIGINT or SIGTERM.
     *
     * @param stop what stops the kernel; thread-safe and quick
     * @return the registration, to close when the kernel is done
     */
    public static Registration register(Runnable stop) {
        Registration r = new Registration(stop);
        synchronized (LOCK) {
            if (registered.isEmpty()) {
                install();
            }
            registered.add(r);
        }
        return r;
    }

    private static void install() {
        for (String name : NAMES) {
            try {
                Object signal = Sun.newSignal(name);
                Object old = Sun.handle(signal, Sun.HANDLER);
                if (old == Sun.IGNORE) {
                    Sun.handle(signal, old);                     // ignored on purpose by whoever started us
                } else {
                    previous.put(signal, old);
                }
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // The JVM keeps the signal (-Xrs, or in use by the VM): it ends the process as usual.
                LOG.log(System.Logger.Level.DEBUG, "cannot handle SIG" + name + ": " + e.getMessage());
            }
        }
    }

    private static void restore(Object signal, Object handler) {
        try {
            Sun.handle(signal, handler);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot restore the handler of " + signal + ": " + e.getMessage());
        }
    }

    private static void received(String name, int number) {
        List<Registration> stopping = new ArrayList<>();
        boolean again = false;
        synchronized (LOCK) {
            for (Registration r : registered) {
                if (r.signal != 0) {
                    again = true;
                } else {
                    r.signal = number;
                    stopping.add(r);
                }
            }
        }
        if (again) {
            System.err.println("curio: SIG" + name + " again while stopping; exiting at once");
            Runtime.getRuntime().halt(128 + number);
        }
        for (Registration r : stopping) {
            r.stop.run();
        }
    }

    /** {@code sun.misc.Signal} and {@code SignalHandler}, through method handles. */
    private static final class Sun {
        static final MethodHandle NEW_SIGNAL;
        static final MethodHandle HANDLE;
        static final MethodHandle NAME;
        static final MethodHandle NUMBER;
        static final Object IGNORE;
        static final Object HANDLER;

        static {
            try {
                Class<?> signal = Class.forName("sun.misc.Signal");
                Class<?> handler = Class.forName("sun.misc.SignalHandler");
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                NEW_SIGNAL = lookup.findConstructor(signal, MethodType.methodType(void.class, String.class));
                HANDLE = lookup.findStatic(signal, "handle", MethodType.methodType(handler, signal, handler));
                NAME = lookup.findVirtual(signal, "getName", MethodType.methodType(String.class));
                NUMBER = lookup.findVirtual(signal, "getNumber", MethodType.methodType(int.class));
                IGNORE = lookup.findStaticGetter(handler, "SIG_IGN", handler).invoke();
                HANDLER = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler},
                        (proxy, method, args) -> switch (method.getName()) {
                            case "handle" -> {
                                received((String) NAME.invoke(args[0]), (int) NUMBER.invoke(args[0]));
                                yield null;
                            }
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "curio signal handler";
                        });
            } catch (Throwable e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        static Object newSignal(String name) {
            try {
                return NEW_SIGNAL.invoke(name);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        static Object handle(Object signal, Object handler) {
            try {
                return HANDLE.invoke(signal, handler);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
