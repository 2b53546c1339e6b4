package org.curio.kernel.internal.monitor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The JVM-wide registry of consoles: one listener per requested address, shared by every kernel that
 * asks for that address, started by the first and stopped when the last leaves.
 */
final class Consoles {
    /*
     * Implementation notes. Starting and stopping happen under the class lock, so a kernel that asks
     * for an address while the last one there is leaving waits until the old listener has released
     * the port, and then starts a new one. A request for port 0 shares the console that the first
     * such request started.
     */
    private static final Map<SocketAddress, Console> OPEN = new HashMap<>();    // guarded by Consoles.class

    private Consoles() {}

    /** Registers {@code kernel} on the console at {@code settings}' address, starting it if needed. */
    static synchronized Console join(ConsoleSettings settings, KernelInspector kernel) throws IOException {
        Console console = OPEN.get(settings.address());
        if (console == null) {
            console = Console.open(settings);
            OPEN.put(settings.address(), console);
        }
        console.add(kernel);
        return console;
    }

    /** Unregisters {@code kernel}; the last kernel to leave stops the console and its threads. */
    static synchronized void leave(Console console, KernelInspector kernel) {
        console.remove(kernel);
        if (console.isEmpty()) {
            OPEN.values().remove(console);
            console.close();
        }
    }

    /** {@return {@code address} as a person writes it: {@code 127.0.0.1:48802} or {@code unix:/path}} */
    static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return "unix:" + unix.getPath();
        }
        return address.toString();
    }
}
