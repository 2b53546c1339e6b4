package org.curio.ssl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.SplittableRandom;

import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.Task;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Trio's renegotiation test: while both sides send and receive in random pieces, one side starts new
 * handshakes at random moments (a KeyUpdate on TLS 1.3, a renegotiation on TLS 1.2). Every byte
 * arrives, in order, and nothing hangs: a reader that must answer never collides with a writer.
 */
class TlsRehandshakeTest {
    private static final int SIZE = 256 * 1024;

    @ParameterizedTest(name = "{0}, seed {1}, chunk {2}")
    @CsvSource({"TLSv1.3, 1, 4096", "TLSv1.3, 2, 1", "TLSv1.3, 3, 700", "TLSv1.2, 4, 4096", "TLSv1.2, 5, 700",
                "TLSv1.2, 6, 1"})
    void randomHandshakesWhileBothSidesStream(String version, long seed, int chunk) throws Exception {
        TlsTesting.run(() -> {
            TlsConnection[] p = TlsTesting.memory(
                    TlsTesting.client().withProtocols(version).withInlineDelegatedTasks(true),
                    TlsTesting.server().withProtocols(version).withInlineDelegatedTasks(true), chunk);
            SplittableRandom random = new SplittableRandom(seed);
            byte[] rightward = new byte[SIZE];
            byte[] leftward = new byte[SIZE];
            random.nextBytes(rightward);
            random.nextBytes(leftward);
            byte[][] got = new byte[2][];
            int[] handshakes = {0};
            try (TaskGroup<Object> g = TaskGroup.open()) {
                Task<?> a = g.spawn(() -> send(p[0], rightward, random.split()));
                Task<?> b = g.spawn(() -> send(p[1], leftward, random.split()));
                g.spawn(() -> got[0] = receive(p[1], random.split()));
                g.spawn(() -> got[1] = receive(p[0], random.split()));
                SplittableRandom r = random.split();
                g.spawn(() -> {
                    while (!a.isTerminated() || !b.isTerminated()) {
                        Timeouts.sleep(Duration.ofMillis(r.nextInt(1, 5)));
                        if (!p[0].isOpen() || !p[1].isOpen()) {
                            return;
                        }
                        (r.nextBoolean() ? p[0] : p[1]).rehandshake();
                        handshakes[0]++;
                    }
                });
                g.join();
                if (g.exception().orElse(null) instanceof Exception e) {
                    throw e;
                }
            }
            assertArrayEquals(rightward, got[0], "left to right");
            assertArrayEquals(leftward, got[1], "right to left");
            if (handshakes[0] == 0) {
                throw new AssertionError("no handshake happened during the transfer");
            }
            p[0].close();
            p[1].close();
        });
    }

    private static void send(TlsConnection c, byte[] data, SplittableRandom random) throws Exception {
        int at = 0;
        while (at < data.length) {
            int n = Math.min(data.length - at, random.nextInt(1, 20_000));
            c.sendAll(ByteBuffer.wrap(data, at, n));
            at += n;
            if (random.nextInt(4) == 0) {
                Timeouts.sleep(Duration.ofMillis(1));
            }
        }
    }

    private static byte[] receive(TlsConnection c, SplittableRandom random) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < SIZE) {
            ByteBuffer dst = ByteBuffer.allocate(Math.min(SIZE - out.size(), random.nextInt(1, 30_000)));
            int n = c.recvInto(dst);
            if (n < 0) {
                throw new AssertionError("end of stream after " + out.size() + " bytes");
            }
            out.write(dst.array(), 0, n);
        }
        return out.toByteArray();
    }
}
