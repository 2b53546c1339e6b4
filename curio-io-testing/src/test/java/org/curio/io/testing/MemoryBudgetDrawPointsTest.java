package org.curio.io.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.curio.io.Listener;
import org.curio.kernel.Kernel;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.kernel.VoidBody;
import org.curio.kernel.spi.Activation;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.junit.jupiter.api.Test;

/**
 * A memory network's operations that need not wait draw on the cooperative budget, as a socket's do:
 * with a budget of one, the second of two such operations right after a real suspension yields first
 * (a plain yield the activation sees).
 */
class MemoryBudgetDrawPointsTest {
    /** An operation under test, done twice after the set-up; it must find its data or room at once. */
    @FunctionalInterface
    private interface Twice {
        void run() throws Exception;
    }

    /** Runs {@code setUp}, sleeps (a real suspension, a fresh budget), then {@code twice}; counts the forced yields. */
    private static int forcedYields(VoidBody<?> setUp, Twice twice) throws Exception {
        AtomicInteger yields = new AtomicInteger();
        boolean[] counting = new boolean[1];
        Activation recorder = new Activation() {
            @Override
            public void trap(Task<?> task, Trap<?> trap) {
                if (counting[0] && trap instanceof Trap.Sleep(long deadline) && deadline == Long.MIN_VALUE) {
                    yields.incrementAndGet();
                }
            }
        };
        try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).cooperativeBudget(1).activation(recorder)
                .build()) {
            kernel.run(() -> {
                setUp.run();
                Timeouts.sleep(Duration.ofMillis(1));
                counting[0] = true;
                twice.run();
                counting[0] = false;
                return null;
            });
        }
        return yields.get();
    }

    /** A memory network's connect and a memory listener's accept draw: four in a row yield three times. */
    @Test
    void memoryConnectAndAcceptDraw() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        List<AutoCloseable> held = new ArrayList<>();
        try {
            assertEquals(3, forcedYields(() -> { }, () -> {
                Listener<MemoryConnection> listener = network.listen("x");
                held.add(listener);
                held.add(network.connect("x"));
                held.add(network.connect("x"));
                held.add(listener.accept());
                held.add(listener.accept());
                for (AutoCloseable c : held) {
                    c.close();
                }
            }));
        } finally {
            network.close();
        }
    }
}
