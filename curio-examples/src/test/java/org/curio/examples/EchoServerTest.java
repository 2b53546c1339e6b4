package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The raw-socket {@link EchoServer} example survives running out of descriptors (RELIABILITY.md's
 * R23): run in a child JVM under {@code ulimit -n 256} and sent 1,000 clients, it stays alive, echoes
 * for its clients while it backs off, and serves new clients once the others have left.
 */
class EchoServerTest {
    /** Out of descriptors, the example lives on, keeps echoing, and accepts again when clients leave. */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void survivesDescriptorExhaustion() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String path = String.join(File.pathSeparator, System.getProperty("jdk.module.path", ""),
                System.getProperty("java.class.path", ""));
        Process child = new ProcessBuilder("bash", "-c", "ulimit -n 256 && exec \"$@\"", "bash", java,
                "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
                "-Dorg.curio.backend=" + System.getProperty("org.curio.backend", "virtual"),
                "-cp", path, EchoServer.class.getName(), "0").redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child ended
            }
        });
        List<Socket> all = new ArrayList<>();
        try {
            String first = await(lines, "Server listening at ");
            int port = Integer.parseInt(first.substring(first.lastIndexOf(':') + 1).strip());
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            List<Socket> established = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                established.add(client(address));
                assertEquals("hello " + i, roundTrip(established.getLast(), "hello " + i));
            }
            all.addAll(established);
            List<Socket> flood = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                flood.add(client(address));
            }
            all.addAll(flood);
            await(lines, "Accept failed (");
            for (Socket s : established) {
                assertEquals("still here", roundTrip(s, "still here"));
            }
            assertTrue(child.isAlive(), "the example died");
            for (Socket s : flood) {
                s.close();
            }
            try (Socket late = client(address)) {
                assertEquals("late", roundTrip(late, "late"));
            }
            await(lines, "Accepting again");
            assertTrue(child.isAlive(), "the example died");
        } finally {
            for (Socket s : all) {
                s.close();
            }
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            reader.join(5_000);
        }
    }

    /** {@return the first line from the child starting with {@code prefix}, waiting up to 15 s} */
    private static String await(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("the example printed no line starting with \"" + prefix + "\"");
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    private static Socket client(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.connect(address, 5_000);
        s.setSoTimeout(5_000);
        return s;
    }

    private static String roundTrip(Socket s, String message) throws IOException {
        byte[] out = message.getBytes(StandardCharsets.US_ASCII);
        OutputStream o = s.getOutputStream();
        o.write(out);
        o.flush();
        return new String(s.getInputStream().readNBytes(out.length), StandardCharsets.US_ASCII);
    }
}
