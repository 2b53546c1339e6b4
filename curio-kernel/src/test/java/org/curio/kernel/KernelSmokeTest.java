package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.curio.traps.Task;
import org.junit.jupiter.api.Test;

/** A first check that the kernel runs tasks, sleeps on the virtual clock and joins. */
class KernelSmokeTest {
    /** A spawned task's result comes back through join, and virtual time passes exactly. */
    @Test
    void spawnSleepJoin() throws Exception {
        VirtualClock clock = VirtualClock.create();
        var events = new Harness.Events();
        int result = Harness.run(clock, () -> {
            Task<Integer> child = Curio.spawn(() -> {
                events.add("child start");
                Timeouts.sleep(Duration.ofSeconds(5));
                events.add("child done");
                return 42;
            });
            events.add("main joining");
            return child.join();
        });
        assertEquals(42, result);
        events.assertEquals("main joining", "child start", "child done");
        assertEquals(Duration.ofSeconds(5), clock.elapsed());
    }

    /** The suite runs on the backend the build asked for, so both backends really are exercised. */
    @Test
    void runsOnRequestedBackend() {
        String requested = System.getProperty("org.curio.backend", "auto");
        try (Kernel kernel = Kernel.create()) {
            switch (requested) {
                case "virtual" -> assertEquals(CoroutineBackend.VIRTUAL, kernel.backend());
                case "continuation" -> assertEquals(CoroutineBackend.CONTINUATION, kernel.backend());
                default -> assertEquals(requested, "auto");
            }
        }
    }
}
