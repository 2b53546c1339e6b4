package org.curio.workers.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.curio.workers.Signal;

/**
 * The process-wide side of signal waiting: one JDK signal handler per signal while at least one
 * listener wants it, the previous handler kept and put back when the last listener leaves, and a way
 * to hand a signal to that previous handler.
 */
public final class SignalBridge {
    /*
     * Implementation notes. sun.misc.Signal (module jdk.unsupported) is the JDK's only way to catch a
     * signal; the VM runs the handler on a new thread of its own for each arrival. It is reached through
     * method handles because javac's warning for that package cannot be suppressed and the build
     * treats warnings as errors (the kernel's Signals does the same for SIGINT and SIGTERM). Listeners
     * run on the VM's handler thread and must be quick and thread-safe.
     *
     * Discussion: the previous handler is judged by its class and name (JDK 25 hands back wrappers whose
     * toString names what they wrap). SIG_DFL and SIG_IGN are the JDK's constants; a native handler
     * (SIGUSR2's, for example) belongs to the VM or a native library
     * (replacing it may break that code, so it warns); the JDK's own Java handlers (the shutdown
     * handler of HUP, INT and TERM) are replaced quietly, as every server that handles SIGTERM does.
     */
    private static final System.Logger LOG = System.getLogger("org.curio.workers");
    private static final Object LOCK = new Object();
    private static final Map<Signal, Installed> INSTALLED = new EnumMap<>(Signal.class);   // guarded by LOCK

    private SignalBridge() {}

    /** One signal's handler while installed. */
    private static final class Installed {
        final Object signal;                                 // a sun.misc.Signal
        final Object previous;                               // a sun.misc.SignalHandler
        final List<Consumer<Signal>> listeners = new ArrayList<>();

        Installed(Object signal, Object previous) {
            this.signal = signal;
            this.previous = previous;
        }
    }

    /**
     * Adds {@code listener} for {@code signal}, installing the handler if it is the first.
     *
     * @param signal   the signal
     * @param listener called on the VM's handler thread at each arrival
     * @throws IllegalArgumentException if the JVM refuses a handler for this signal
     */
    public static void listen(Signal signal, Consumer<Signal> listener) {
        if (signal.isRefused()) {
            throw refused(signal, "the JVM keeps it for itself or it cannot be caught");
        }
        synchronized (LOCK) {
            Installed in = INSTALLED.get(signal);
            if (in == null) {
                Object s = Sun.newSignal(signal);
                Object previous = Sun.handle(signal, s, Sun.HANDLER);
                if (Sun.isNative(previous)) {
                    LOG.log(System.Logger.Level.WARNING, "SIG" + signal + " had a native handler (the JVM's or a"
                            + " native library's); it is replaced until the last SignalQueue or SignalEvent on it closes");
                }
                in = new Installed(s, previous);
                INSTALLED.put(signal, in);
            }
            in.listeners.add(listener);
        }
    }

    /**
     * Removes {@code listener}; the last one to leave puts the previous handler back.
     *
     * @param signal   the signal
     * @param listener the listener given to {@link #listen}
     * @return whether the previous handler was put back (this was the last listener)
     */
    public static boolean leave(Signal signal, Consumer<Signal> listener) {
        synchronized (LOCK) {
            Installed in = INSTALLED.get(signal);
            if (in == null || !in.listeners.remove(listener) || !in.listeners.isEmpty()) {
                return false;
            }
            INSTALLED.remove(signal);
            Sun.handle(signal, in.signal, in.previous);
            return true;
        }
    }

    /**
     * Delivers {@code signal} to its current handler (after {@link #leave} put the previous one back):
     * a Java handler is called on this thread; the default action is taken by raising the signal
     * (which may end the process, as it would have); an ignored signal is dropped.
     *
     * @param signal the signal
     */
    public static void redeliver(Signal signal) {
        Object s = Sun.newSignal(signal);
        Object current = Sun.handle(signal, s, Sun.IGNORE);
        Sun.handle(signal, s, current);
        if (Sun.isIgnore(current)) {
            return;
        }
        if (Sun.isDefault(current) || Sun.isNative(current)) {
            Sun.raise(s);
        } else {
            Sun.call(current, s);
        }
    }

    private static void received(Object signal) {
        Signal which = Signal.valueOf(Sun.name(signal));
        List<Consumer<Signal>> listeners;
        synchronized (LOCK) {
            Installed in = INSTALLED.get(which);
            listeners = in == null ? List.of() : List.copyOf(in.listeners);
        }
        for (Consumer<Signal> l : listeners) {
            l.accept(which);
        }
    }

    private static IllegalArgumentException refused(Signal signal, String why) {
        return new IllegalArgumentException("cannot wait for SIG" + signal + ": " + why + "; choose another signal"
                + " (HUP, USR1, USR2, TERM, INT, WINCH...), and check the JVM was not started with -Xrs");
    }

    /** {@code sun.misc.Signal} and {@code SignalHandler}, through method handles. */
    private static final class Sun {
        static final MethodHandle NEW_SIGNAL;
        static final MethodHandle HANDLE;
        static final MethodHandle RAISE;
        static final MethodHandle NAME;
        static final MethodHandle CALL;
        static final Object IGNORE;
        static final Object DEFAULT;
        static final Object HANDLER;

        static {
            try {
                Class<?> signal = Class.forName("sun.misc.Signal");
                Class<?> handler = Class.forName("sun.misc.SignalHandler");
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                NEW_SIGNAL = lookup.findConstructor(signal, MethodType.methodType(void.class, String.class));
                HANDLE = lookup.findStatic(signal, "handle", MethodType.methodType(handler, signal, handler));
                RAISE = lookup.findStatic(signal, "raise", MethodType.methodType(void.class, signal));
                NAME = lookup.findVirtual(signal, "getName", MethodType.methodType(String.class));
                CALL = lookup.findVirtual(handler, "handle", MethodType.methodType(void.class, signal));
                IGNORE = lookup.findStaticGetter(handler, "SIG_IGN", handler).invoke();
                DEFAULT = lookup.findStaticGetter(handler, "SIG_DFL", handler).invoke();
                HANDLER = Proxy.newProxyInstance(SignalBridge.class.getClassLoader(), new Class<?>[] {handler},
                        (proxy, method, args) -> switch (method.getName()) {
                            case "handle" -> {
                                received(args[0]);
                                yield null;
                            }
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "curio signal queue handler";
                        });
            } catch (Throwable e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        static boolean isIgnore(Object handler) {
            return handler == IGNORE || handler.toString().equals("SIG_IGN");     // JDK 25 wraps the constants
        }

        static boolean isDefault(Object handler) {
            return handler == DEFAULT || handler.toString().equals("SIG_DFL");
        }

        static boolean isNative(Object handler) {
            return !isIgnore(handler) && !isDefault(handler) && (handler.getClass().getName().contains("NativeSignalHandler")
                    || handler.toString().contains("NativeHandler"));
        }

        static Object newSignal(Signal signal) {
            try {
                return NEW_SIGNAL.invoke(signal.name());
            } catch (IllegalArgumentException e) {
                throw refused(signal, e.getMessage());
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        static Object handle(Signal which, Object signal, Object handler) {
            try {
                return HANDLE.invoke(signal, handler);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                throw refused(which, e.getMessage());
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        static String name(Object signal) {
            try {
                return (String) NAME.invoke(signal);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        static void raise(Object signal) {
            try {
                RAISE.invoke(signal);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        static void call(Object handler, Object signal) {
            try {
                CALL.invoke(handler, signal);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
