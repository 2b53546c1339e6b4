package org.curio.ssl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancellation at every blocking point of a client's handshake, send and receive: over a memory pair
 * whose every transfer takes 1 ms of virtual time, the client is cancelled after 0, 1, 2, ... ms, and
 * then carries on from where it stood (handshake messages take the first few milliseconds, records the
 * rest). Every byte arrives once and in order, and the kernel ledger,
 * descriptors and engine count are back where they started.
 */
class TlsCancellationTest {
    private static final int SIZE = 32 * 1024;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void cancelledAtEachMomentThenCarryingOnLosesNothing() throws Exception {
        byte[] data = new byte[SIZE];
        new Random(3).nextBytes(data);
        for (int moment : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 16, 20}) {
            TlsTesting.run(() -> {
                TlsTesting.Raw raw = TlsTesting.raw(8 * 1024, Duration.ofMillis(1));
                TlsConnection c = TlsConnection.client(raw.left(), TlsTesting.client().withInlineDelegatedTasks(true));
                TlsConnection s = TlsConnection.server(raw.right(), TlsTesting.server().withInlineDelegatedTasks(true));
                ByteBuffer src = ByteBuffer.wrap(data);
                ByteBuffer reply = ByteBuffer.allocate(5);
                Task<byte[]> server = Curio.spawn(() -> {
                    byte[] got = s.asStream().readExactly(SIZE);
                    s.sendAll("thank".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    return got;
                });
                Task<Void> client = Curio.spawn(() -> exchange(c, src, reply));
                Timeouts.sleep(Duration.ofMillis(moment));
                client.cancel();
                if (client.exception().isPresent() && !(client.exception().get() instanceof TaskCancelledException)) {
                    throw new AssertionError("at " + moment + " ms the client failed: " + client.exception().get(),
                            client.exception().get());
                }
                exchange(c, src, reply);                     // carry on where the cancelled task stood
                assertArrayEquals(data, server.join(), "at " + moment + " ms");
                assertArrayEquals("thank".getBytes(java.nio.charset.StandardCharsets.US_ASCII), reply.array());
                c.close();
                s.close();
            });
        }
    }

    private static void exchange(TlsConnection c, ByteBuffer src, ByteBuffer reply) throws Exception {
        c.handshake();
        c.sendAll(src);
        while (reply.hasRemaining()) {
            if (c.recvInto(reply) < 0) {
                throw new AssertionError("end of stream before the reply");
            }
        }
    }
}
