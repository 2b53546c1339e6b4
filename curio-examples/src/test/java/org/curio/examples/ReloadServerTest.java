package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.curio.kernel.Kernel;
import org.curio.workers.Signal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reload server, driven with real signals sent to this JVM: SIGHUP reloads, SIGTERM stops. */
class ReloadServerTest {
    private static String greeting(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
             BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            return r.readLine();
        }
    }

    private static void send(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(ProcessHandle.current().pid())).start();
        assertEquals(0, kill.waitFor());
    }

    /** Clients get the greeting; after SIGHUP the new one; SIGTERM ends serve() with TERM. */
    @Test
    void reloadsOnHupAndStopsOnTerm(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("greeting.txt"), "hello\n");
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CompletableFuture<Signal> stopped = new CompletableFuture<>();
        Thread server = Thread.ofPlatform().start(() -> {
            try (Kernel kernel = Kernel.create()) {
                stopped.complete(kernel.run(() -> ReloadServer.serve(config, "127.0.0.1", 0, port::complete)));
            } catch (Exception e) {
                stopped.completeExceptionally(e);
                port.completeExceptionally(e);
            }
        });
        int p = port.get(10, TimeUnit.SECONDS);
        assertEquals("hello", greeting(p));
        Files.writeString(config, "bonjour\n");
        send("HUP");
        String now = greeting(p);
        for (int i = 0; i < 100 && !now.equals("bonjour"); i++) {
            Thread.sleep(20);                                  // the signal arrives on the VM's own thread
            now = greeting(p);
        }
        assertEquals("bonjour", now);
        send("TERM");
        assertEquals(Signal.TERM, stopped.get(10, TimeUnit.SECONDS));
        server.join();
    }
}
