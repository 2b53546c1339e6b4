package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.curio.kernel.spi.Activation;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.Trap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The kernel's hooks for testing tools: the activation events a trace recorder needs, the seeded
 * perturbation of the ready queue, and {@link Kernel#abort}.
 */
class ObservationTest {
    /** Records every activation event with per-kernel task numbers, so runs can be compared. */
    static final class Recorder implements Activation {
        final List<String> events = new ArrayList<>();
        private final Map<Long, Integer> numbers = new HashMap<>();

        private String n(Task<?> t) {
            return "#" + numbers.computeIfAbsent(t.id(), id -> numbers.size() + 1);
        }

        @Override
        public void created(Task<?> task) {
            events.add("created " + n(task));
        }

        @Override
        public void trap(Task<?> task, Trap<?> trap) {
            events.add("trap " + n(task) + " " + trap.getClass().getSimpleName());
        }

        @Override
        public void woken(Task<?> task) {
            events.add("woken " + n(task));
        }

        @Override
        public void cancelled(Task<?> task, Exception reason) {
            events.add("cancelled " + n(task) + " " + reason.getClass().getSimpleName());
        }

        @Override
        public void terminated(Task<?> task, @Nullable Throwable failure) {
            events.add("terminated " + n(task) + (failure == null ? "" : " " + failure.getClass().getSimpleName()));
        }

        @Override
        public void unjoinedFailure(Task<?> task, Throwable failure) {
            events.add("unjoined " + n(task) + " " + failure.getMessage());
        }
    }

    /** Every trap, wake-up, cancellation, timeout and termination reaches the activation, in order. */
    @Test
    void activationSeesTrapsWakeupsCancelsAndTimeouts() throws Exception {
        Recorder r = new Recorder();
        try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).activation(r).build()) {
            kernel.run(() -> {
                Task<?> child = Curio.spawn(() -> Timeouts.sleep(Duration.ofSeconds(10)));
                try {
                    Timeouts.after(Duration.ofSeconds(1), () -> Timeouts.sleep(Duration.ofSeconds(5)));
                } catch (TaskTimeoutException expected) {
                    // the timeout is what the test records
                }
                child.cancel();
                return null;
            });
        }
        assertEquals(List.of(
                "created #1",
                "trap #1 Spawn", "created #2",
                "trap #1 Clock", "trap #1 GetCurrent", "trap #1 GetSlot", "trap #1 SetSlot", // the open blocks
                "trap #1 SetTimeout", "trap #1 Clock", "trap #1 Sleep",
                "trap #2 Clock", "trap #2 Sleep",
                "cancelled #1 TaskTimeoutException", "woken #1",
                "trap #1 UnsetTimeout",
                "trap #1 CancelTask", "cancelled #2 TaskCancelledException", "woken #2",
                "trap #1 SchedWait",
                "terminated #2 TaskCancelledException", "woken #1",
                "terminated #1"), r.events);
    }

    /** A task that crashed and that nobody joined is reported to activations at the end of the run. */
    @Test
    void unjoinedFailureIsReported() throws Exception {
        Recorder r = new Recorder();
        try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).activation(r).build()) {
            kernel.run(() -> {
                Curio.spawn(() -> {
                    throw new IllegalStateException("boom");
                });
                Timeouts.sleep(Duration.ofSeconds(1));
                return null;
            });
        }
        assertTrue(r.events.contains("unjoined #2 boom"), r.events::toString);
    }

    /** Runs ten tasks that each yield three times, and returns the order of their steps. */
    private static List<Integer> interleaving(@Nullable Long seed) throws Exception {
        Kernel.Builder b = Kernel.builder().clock(VirtualClock.create());
        if (seed != null) {
            b.perturbSchedule(seed);
        }
        List<Integer> order = new ArrayList<>();
        try (Kernel kernel = b.build()) {
            kernel.run(() -> {
                try (TaskGroup<Object> g = TaskGroup.open()) {
                    for (int i = 0; i < 10; i++) {
                        int id = i;
                        g.spawn(() -> {
                            for (int k = 0; k < 3; k++) {
                                order.add(id);
                                Curio.schedule();
                            }
                            return null;
                        });
                    }
                    g.join();
                }
                return null;
            });
        }
        return order;
    }

    /** Without a seed ready tasks run first-come first-served; a seed shuffles them, the same way each time. */
    @Test
    void perturbationShufflesReadyTasksReproducibly() throws Exception {
        List<Integer> fifo = interleaving(null);
        List<Integer> expectedFifo = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < 10; i++) {
                expectedFifo.add(i);
            }
        }
        assertEquals(expectedFifo, fifo);
        List<Integer> first = interleaving(42L);
        assertNotEquals(fifo, first);
        for (int i = 0; i < 10; i++) {
            assertEquals(first, interleaving(42L));
        }
        assertNotEquals(first, interleaving(43L));
    }

    /** Abort from another thread stops a kernel that would run for ever, naming the reason and the tasks. */
    @Test
    void abortStopsARunawayKernel() throws Exception {
        CompletableFuture<Void> started = new CompletableFuture<>();
        try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build()) {
            Thread.ofPlatform().daemon().start(() -> {
                started.join();
                kernel.abort("watchdog fired");
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> kernel.run(() -> {
                started.complete(null);
                while (true) {
                    Timeouts.sleep(Duration.ofSeconds(1));      // virtual time: this loop never waits
                }
            }));
            assertTrue(e.getMessage().startsWith("kernel aborted: watchdog fired"), e.getMessage());
            assertTrue(e.getMessage().contains("main"), e.getMessage());
        }
    }
}
