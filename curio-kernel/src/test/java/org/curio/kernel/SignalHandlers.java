package org.curio.kernel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

/** Installs {@code sun.misc.Signal} handlers in tests, through reflection (javac warns on the package). */
final class SignalHandlers {
    private SignalHandlers() {}

    /** Handles signal {@code name} with {@code onSignal} (given the name); returns the previous handler. */
    static Object handle(String name, Consumer<String> onSignal) throws Throwable {
        Class<?> signal = Class.forName("sun.misc.Signal");
        Class<?> handler = Class.forName("sun.misc.SignalHandler");
        Object proxy = Proxy.newProxyInstance(SignalHandlers.class.getClassLoader(), new Class<?>[] {handler},
                (p, method, args) -> {
                    if (method.getName().equals("handle")) {
                        onSignal.accept(name);
                    }
                    return switch (method.getName()) {
                        case "hashCode" -> System.identityHashCode(p);
                        case "equals" -> p == args[0];
                        case "toString" -> "test handler of SIG" + name;
                        default -> null;
                    };
                });
        return install(signal, handler, name, proxy);
    }

    /** Puts {@code previous} back as the handler of {@code name}. */
    static void restore(String name, Object previous) throws Throwable {
        install(Class.forName("sun.misc.Signal"), Class.forName("sun.misc.SignalHandler"), name, previous);
    }

    private static Object install(Class<?> signal, Class<?> handler, String name, Object h) throws Throwable {
        var lookup = MethodHandles.publicLookup();
        Object s = lookup.findConstructor(signal, MethodType.methodType(void.class, String.class)).invoke(name);
        return lookup.findStatic(signal, "handle", MethodType.methodType(handler, signal, handler)).invoke(s, h);
    }
}
