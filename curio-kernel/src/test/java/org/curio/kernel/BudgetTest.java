package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.curio.kernel.spi.Activation;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.junit.jupiter.api.Test;

/** The cooperative budget: draws, forced yields, refills, cancellation at a forced yield. */
class BudgetTest {

    private static <T> T run(int budget, VirtualClock clock, Callable<T> main) throws Exception {
        Kernel kernel = Kernel.builder().clock(clock).cooperativeBudget(budget).build();
        try {
            return kernel.run(main);
        } finally {
            kernel.close();
            assertTrue(kernel.ledger().isEmpty(), () -> "kernel left " + kernel.ledger());
        }
    }

    /** With a budget of 3, every fourth draw yields first, so two busy tasks take turns of three. */
    @Test
    void busyTasksTakeTurnsOfOneBudget() throws Exception {
        var events = new Harness.Events();
        run(3, VirtualClock.create(), () -> {
            Task<?> a = Curio.spawn(() -> busy("a", 7, events));
            Task<?> b = Curio.spawn(() -> busy("b", 7, events));
            a.join();
            b.join();
            return null;
        });
        events.assertEquals("a0", "a1", "a2", "b0", "b1", "b2", "a3", "a4", "a5", "b3", "b4", "b5", "a6", "b6");
    }

    private static Void busy(String name, int operations, Harness.Events events) throws Exception {
        for (int i = 0; i < operations; i++) {
            Traps.consumeBudget();
            events.add(name + i);
        }
        return null;
    }

    /** A real suspension refills the budget: draws after a sleep start counting again from zero. */
    @Test
    void suspensionRefillsTheBudget() throws Exception {
        var events = new Harness.Events();
        run(2, VirtualClock.create(), () -> {
            Task<?> other = Curio.spawn(() -> events.add("other"));
            Traps.consumeBudget();
            Traps.consumeBudget();
            Timeouts.sleep(Duration.ofSeconds(1));            // other runs here; the budget is refilled
            events.add("woke");
            Task<?> later = Curio.spawn(() -> events.add("later"));
            Traps.consumeBudget();
            Traps.consumeBudget();
            events.add("two more draws without a yield");
            other.join();
            later.join();
            return null;
        });
        events.assertEquals("other", "woke", "two more draws without a yield", "later");
    }

    /** While a task draws without ever waiting, a sleeper wakes at the first loop turn after its deadline. */
    @Test
    void timersFireWhileATaskNeverWaits() throws Exception {
        VirtualClock clock = VirtualClock.create();
        var events = new Harness.Events();
        run(4, clock, () -> {
            Task<?> sleeper = Curio.spawn(() -> {
                Timeouts.sleep(Duration.ofMillis(10));
                events.add("sleeper woke at " + clock.elapsed().toMillis() + " ms");
            });
            Curio.schedule();                                    // the sleeper arms its timer first
            for (int i = 0; i < 40; i++) {
                Traps.consumeBudget();
                clock.advance(Duration.ofMillis(1));           // each operation takes a millisecond
            }
            events.add("busy done at " + clock.elapsed().toMillis() + " ms");
            sleeper.join();
            return null;
        });
        // The deadline passes during the 10th operation; the next forced yield is at the 13th draw
        // (4 draws per turn), at 12 ms. The timer expires at the start of that turn, and the sleeper
        // runs in it, after the busy task's next four operations: at 16 ms.
        events.assertEquals("sleeper woke at 16 ms", "busy done at 40 ms");
    }

    /** A cancellation pending at a forced yield is delivered there, before the operation does its work. */
    @Test
    void pendingCancelIsDeliveredAtTheForcedYield() throws Exception {
        var events = new Harness.Events();
        run(2, VirtualClock.create(), () -> {
            Task<?> self = Curio.currentTask();
            Traps.consumeBudget();
            self.requestCancel();                              // pending: delivered at the next cancel point
            Traps.consumeBudget();                             // budget not spent yet: no cancel point
            events.add("second draw");
            try {
                Traps.consumeBudget();                         // spent: yields first, and the cancel arrives
                events.add("third draw went through");
            } catch (TaskCancelledException e) {
                events.add("cancelled at the forced yield");
            }
            return null;
        });
        events.assertEquals("second draw", "cancelled at the forced yield");
    }

    /** Draws are not reported to activations; the forced yield is, as a plain yield. */
    @Test
    void activationsSeeTheYieldNotTheDraws() throws Exception {
        List<String> traps = new ArrayList<>();
        Activation recorder = new Activation() {
            @Override
            public void trap(Task<?> task, Trap<?> trap) {
                if (task.name().equals("main")) {
                    traps.add(trap.getClass().getSimpleName());
                }
            }
        };
        try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).cooperativeBudget(1).activation(recorder)
                .build()) {
            kernel.run(() -> {
                Traps.consumeBudget();
                Traps.consumeBudget();
                return null;
            });
        }
        assertEquals(List.of("Sleep"), traps);
    }

    /** Outside a task, drawing fails with the trap layer's message, which names the call. */
    @Test
    void drawingOutsideATaskFails() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Traps::consumeBudget);
        assertTrue(e.getMessage().startsWith("Traps.consumeBudget called outside any curio task"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(trap Budget)"), e.getMessage());
    }

    /** The builder refuses a budget that is not positive, naming the value. */
    @Test
    void builderRefusesNonPositiveBudget() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Kernel.builder().cooperativeBudget(0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
    }
}
