package org.curio.examples;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.workers.Signal;
import org.curio.workers.SignalQueue;

/**
 * A server that reloads its configuration on SIGHUP and shuts down cleanly on SIGTERM or SIGINT, as
 * curio's {@code examples/signal_handling.py}: the main task waits on a {@link SignalQueue} while the
 * server runs in another task; each client gets the configured greeting. On SIGTERM the server task
 * is cancelled, which closes the listening socket and every client, and the program ends.
 *
 * <pre>
 * echo 'hello' &gt; greeting.txt
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.ReloadServer greeting.txt 25000
 * kill -HUP &lt;pid&gt;     # after editing greeting.txt
 * kill -TERM &lt;pid&gt;
 * </pre>
 */
public final class ReloadServer {
    private ReloadServer() {}

    /**
     * Serves the greeting until SIGTERM or SIGINT.
     *
     * @param args the greeting file, then the port (default 25000)
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        Path config = Path.of(args.length > 0 ? args[0] : "greeting.txt");
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 25000;
        Curio.run(() -> serve(config, "127.0.0.1", port, p -> System.out.println("Serving on port " + p)));
        System.out.println("Stopped");
    }

    /**
     * Serves until SIGTERM or SIGINT, reloading {@code config} on SIGHUP.
     *
     * @param config  the file whose first line is the greeting
     * @param host    the address to bind
     * @param port    the port, 0 for any
     * @param started told the bound port once the server listens
     * @return the signal that stopped the server
     * @throws IOException        if the configuration cannot be read or the port bound
     * @throws CancelledException if the task is cancelled
     */
    public static Signal serve(Path config, String host, int port, IntConsumer started)
            throws IOException, CancelledException {
        AtomicReference<String> greeting = new AtomicReference<>(read(config));
        try (SignalQueue signals = SignalQueue.open(Signal.HUP, Signal.TERM, Signal.INT)) {
            Socket listening = Network.tcpServerSocket(host, port);
            Task<?> server = Curio.spawn(() -> Network.runServer(listening,
                    (Socket client, SocketAddress address) -> client.sendAll(greeting.get().getBytes(StandardCharsets.UTF_8))));
            started.accept(((java.net.InetSocketAddress) listening.localAddress()).getPort());
            try {
                while (true) {
                    Signal s = signals.get();
                    if (s != Signal.HUP) {
                        return s;
                    }
                    greeting.set(read(config));
                    System.out.println("Reloaded " + config);
                }
            } finally {
                server.cancel();
            }
        }
    }

    private static String read(Path config) throws IOException {
        return Files.readAllLines(config).stream().findFirst().orElse("") + "\n";
    }
}
