package org.curio.examples;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.io.SocketStream;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;

/**
 * A short curio program that shows tasks, a task group, a timeout, a cancellation and an echo server
 * on real sockets, printing what happens, and exits by itself in about two seconds.
 */
public final class Demo {
    private Demo() {}

    /**
     * Runs the demo.
     *
     * @param args ignored
     * @throws Exception if the demo fails
     */
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        try (Kernel kernel = Kernel.create()) {
            say(start, "kernel on the " + kernel.backend().name().toLowerCase() + " backend");
            kernel.run(() -> {
                // 1. Tasks: a countdown runs while the main task carries on.
                Task<String> countdown = Curio.spawn(() -> {
                    for (int n = 3; n > 0; n--) {
                        say(start, "countdown " + n);
                        Timeouts.sleep(Duration.ofMillis(200));
                    }
                    return "lift-off";
                });
                say(start, "countdown spawned as " + countdown.name() + "; joining it");
                say(start, "countdown returned " + countdown.join());

                // 2. A task group: three fetches in parallel, results in creation order.
                try (TaskGroup<Object> group = TaskGroup.open()) {
                    for (int i = 1; i <= 3; i++) {
                        int id = i;
                        group.spawn(() -> {
                            Timeouts.sleep(Duration.ofMillis(100L * (4 - id)));
                            say(start, "fetch " + id + " done");
                            return "page-" + id;
                        });
                    }
                    group.join();
                    say(start, "group results " + group.results());
                }

                // 3. A timeout: a slow operation is cut off after 300 ms.
                try {
                    Timeouts.after(Duration.ofMillis(300), () -> Timeouts.sleep(Duration.ofSeconds(10)));
                } catch (TaskTimeoutException e) {
                    say(start, "slow operation timed out, as asked");
                }
                Optional<String> quiet = Timeouts.ignoreAfter(Duration.ofMillis(100), () -> {
                    Timeouts.sleep(Duration.ofSeconds(10));
                    return "never";
                });
                say(start, "ignoreAfter gave " + quiet);

                // 4. Cancellation: a worker is cancelled mid-sleep and cleans up.
                Task<Void> worker = Curio.spawn(() -> {
                    try {
                        say(start, "worker started, sleeping");
                        Timeouts.sleep(Duration.ofHours(1));
                    } catch (TaskCancelledException e) {
                        say(start, "worker cancelled; cleaning up");
                        throw e;
                    }
                });
                Timeouts.sleep(Duration.ofMillis(200));
                worker.cancel();
                say(start, "worker terminated, cancelled=" + worker.isCancelled());

                // 5. Real sockets: an echo server on a free loopback port, two clients as tasks.
                Socket listening = Network.tcpServerSocket("127.0.0.1", 0);
                int port = ((InetSocketAddress) listening.localAddress()).getPort();
                Task<Void> server = Curio.spawn(() -> Network.runServer(listening, (client, from) -> {
                    SocketStream stream = client.asStream();
                    byte[] line;
                    while ((line = stream.readLine()).length > 0) {
                        stream.write(line);
                    }
                }));
                say(start, "echo server listening on 127.0.0.1:" + port);
                try (TaskGroup<Object> clients = TaskGroup.open()) {
                    for (int i = 1; i <= 2; i++) {
                        int id = i;
                        clients.spawn(() -> {
                            try (SocketStream stream = Network.openConnection("127.0.0.1", port).asStream()) {
                                stream.write(("hello from client " + id + "\n").getBytes(StandardCharsets.UTF_8));
                                String echo = new String(stream.readLine(), StandardCharsets.UTF_8).strip();
                                say(start, "client " + id + " got echo \"" + echo + "\"");
                            }
                        });
                    }
                    clients.join();
                }
                server.cancel();
                say(start, "echo server stopped, cancelled=" + server.isCancelled());
                return null;
            });
        }
        say(start, "kernel closed; bye");
    }

    private static void say(long start, String what) {
        System.out.printf("%6.3f s  %s%n", (System.nanoTime() - start) / 1e9, what);
    }

}
