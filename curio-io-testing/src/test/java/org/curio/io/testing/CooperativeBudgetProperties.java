package org.curio.io.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.curio.kernel.Curio;
import org.curio.kernel.VirtualClock;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;

/**
 * Under any cooperative budget, bytes are neither lost nor duplicated, and a cancellation pending when
 * the budget runs out is delivered at the forced yield before the receive takes any byte: over a
 * socket pair and a memory pair, used directly or through their buffered streams.
 */
class CooperativeBudgetProperties {
    /**
     * A reader that asks for its own cancellation while bytes are plentiful receives at most one
     * budget's worth of further chunks, then is cancelled (at a forced yield, or at the wait once the
     * bytes run out) without taking any byte there; what it received plus what is left is exactly what
     * was sent, in order.
     */
    @Property(tries = 100)
    void cancelAtForcedYieldLosesNoByte(@ForAll @IntRange(min = 1, max = 20) int budget,
                                        @ForAll @IntRange(min = 1, max = 8192) int length,
                                        @ForAll @IntRange(min = 1, max = 300) int chunk,
                                        @ForAll @IntRange(min = 0, max = 40) int before,
                                        @ForAll boolean memory,
                                        @ForAll boolean stream) throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int[] afterRequest = new int[1];
        CooperativeBudgetTest.run(budget, VirtualClock.create(), () -> {
            try (CooperativeBudgetTest.Closer pair = stream ? CooperativeBudgetTest.Closer.streams(memory)
                    : CooperativeBudgetTest.Closer.pair(memory)) {
                ByteBuffer data = ByteBuffer.allocate(length);
                for (int i = 0; i < length; i++) {
                    data.put(i, (byte) i);
                }
                pair.a.sendAll(data);                       // fits the connection's buffer: never waits
                Task<?> reader = Curio.spawn(() -> {
                    for (int i = 0; i < before && received.size() < length; i++) {
                        received.writeBytes(pair.b.recv(chunk));
                    }
                    Curio.currentTask().requestCancel();
                    try {
                        while (true) {
                            received.writeBytes(pair.b.recv(chunk));
                            afterRequest[0]++;
                        }
                    } catch (TaskCancelledException expected) {
                        // delivered at a forced yield, or at the wait for bytes that never come
                    }
                });
                reader.await();
                pair.closeA();
                byte[] rest;
                while ((rest = pair.b.recv(4096)).length > 0) {
                    received.writeBytes(rest);
                }
            }
            return null;
        });
        CooperativeBudgetTest.assertPattern(received.toByteArray(), length);
        assertTrue(afterRequest[0] <= budget, () -> afterRequest[0] + " receives after the cancel request, budget "
                + budget);
    }
}
