package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.kernel.spi.Activation;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.Trap;
import org.junit.jupiter.api.Test;

/**
 * Every task gets its turn with queues too: a producer and a consumer that never have to wait (an
 * unbounded queue that is never empty) cannot starve a sleeper or outrun the consumer's timeout, since
 * each put and get draws on the kernel's cooperative budget; and whatever the budget, a cancellation at
 * a forced yield takes no item. The consumer advances the virtual clock by a millisecond per item.
 */
class QueueBudgetTest {
    private static final int BUDGET = 16;
    private static final Duration MS = Duration.ofMillis(1);

    /** The two queue kinds under test, seen the same way. */
    private interface Q {
        void put(int item) throws CancelledException;

        int get() throws CancelledException;

        Optional<Integer> tryGet();
    }

    private static Q taskQueue() {
        Queue<Integer> q = new Queue<>();
        return new Q() {
            @Override
            public void put(int item) throws CancelledException {
                q.put(item);
            }

            @Override
            public int get() throws CancelledException {
                return q.get();
            }

            @Override
            public Optional<Integer> tryGet() {
                return q.tryGet();
            }
        };
    }

    private static Q universalQueue() {
        UniversalQueue<Integer> q = new UniversalQueue<>();
        return new Q() {
            @Override
            public void put(int item) throws CancelledException {
                q.put(item);
            }

            @Override
            public int get() throws CancelledException {
                return q.get();
            }

            @Override
            public Optional<Integer> tryGet() {
                return q.tryGet();
            }
        };
    }

    private static <T> T run(int budget, VirtualClock clock, Callable<T> main) throws Exception {
        Kernel kernel = Kernel.builder().clock(clock).cooperativeBudget(budget).build();
        try {
            return kernel.run(main);
        } finally {
            kernel.close();
            assertTrue(kernel.ledger().isEmpty(), () -> "kernel left " + kernel.ledger());
        }
    }

    // ------------------------------------------------------------------ a sleeper gets its turn

    /** Beside a producer and consumer of a Queue that never wait, a sleeper wakes one turn after its deadline. */
    @Test
    void queuePairCannotStarveSleeper() throws Exception {
        assertEquals(List.of("main woke at 80 ms"), sleeperBesideBusyPair(taskQueue()));
    }

    /** The same with a UniversalQueue used by tasks. */
    @Test
    void universalQueuePairCannotStarveSleeper() throws Exception {
        assertEquals(List.of("main woke at 80 ms"), sleeperBesideBusyPair(universalQueue()));
    }

    /*
     * Discussion: each turn the producer puts 16 items and yields, then the consumer takes 16 (16 ms);
     * the 50 ms deadline passes during the consumer's fourth turn, the timer fires at the start of the
     * next turn (64 ms) and main runs at the end of it (80 ms). Without the budget the producer puts all
     * its 5,000 items and the consumer takes 2,000 before main runs.
     */
    private static List<String> sleeperBesideBusyPair(Q queue) throws Exception {
        VirtualClock clock = VirtualClock.create();
        List<String> events = new ArrayList<>();
        run(BUDGET, clock, () -> {
            Task<?> producer = Curio.spawn(() -> {
                for (int i = 0; i < 5000; i++) {
                    queue.put(i);
                }
            });
            Task<?> consumer = Curio.spawn(() -> {
                for (int i = 0; i < 2000; i++) {
                    assertEquals(i, queue.get());
                    clock.advance(MS);
                }
            });
            Timeouts.sleep(Duration.ofMillis(50));
            events.add("main woke at " + clock.elapsed().toMillis() + " ms");
            consumer.cancel();
            producer.cancel();
            return null;
        });
        return events;
    }

    // ------------------------------------------------------------------ a timeout fires on a busy consumer

    /** A timeout around a consumer of a Queue that always has items fires, and no item is lost. */
    @Test
    void timeoutFiresOnBusyQueueConsumer() throws Exception {
        assertEquals(List.of("timed out at 48 ms"), timeoutOnBusyConsumer(taskQueue()));
    }

    /** The same with a UniversalQueue. */
    @Test
    void timeoutFiresOnBusyUniversalQueueConsumer() throws Exception {
        assertEquals(List.of("timed out at 48 ms"), timeoutOnBusyConsumer(universalQueue()));
    }

    /*
     * Discussion: the consumer takes 16 items (16 ms) per turn. Its 20 ms timeout expires at the turn
     * that starts at 32 ms, while it is ready after a forced yield, so it stays pending until the next
     * forced yield, at 48 ms, where it is delivered before that get takes anything. Without the budget
     * the consumer takes all 500 items and times out only at the wait on the empty queue, at 500 ms.
     */
    private static List<String> timeoutOnBusyConsumer(Q queue) throws Exception {
        VirtualClock clock = VirtualClock.create();
        List<String> events = new ArrayList<>();
        List<Integer> taken = new ArrayList<>();
        run(BUDGET, clock, () -> {
            for (int i = 0; i < 500; i++) {
                queue.put(i);
            }
            Task<?> consumer = Curio.spawn(() -> {
                try {
                    Timeouts.after(Duration.ofMillis(20), () -> {
                        while (true) {
                            taken.add(queue.get());
                            clock.advance(MS);
                        }
                    });
                } catch (TaskTimeoutException e) {
                    events.add("timed out at " + clock.elapsed().toMillis() + " ms");
                }
            });
            consumer.join();
            for (Optional<Integer> item = queue.tryGet(); item.isPresent(); item = queue.tryGet()) {
                taken.add(item.get());
            }
            return null;
        });
        assertInOrder(taken, 500);
        return events;
    }

    private static void assertInOrder(List<Integer> items, int n) {
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(i);
        }
        assertEquals(expected, items, "items lost, duplicated or reordered");
    }

    // ------------------------------------------------------------------ every queue kind draws

    /** LifoQueue and PriorityQueue puts and gets draw too: with a budget of one, four in a row yield three times. */
    @Test
    void lifoAndPriorityQueuesDraw() throws Exception {
        assertEquals(3, forcedYieldsOfTwoPutsAndTwoGets(new LifoQueue<>()));
        assertEquals(3, forcedYieldsOfTwoPutsAndTwoGets(new PriorityQueue<>()));
    }

    private static int forcedYieldsOfTwoPutsAndTwoGets(TaskQueue<Integer> queue) throws Exception {
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
                Timeouts.sleep(Duration.ofMillis(1));        // a real suspension: a fresh budget
                counting[0] = true;
                queue.put(2);
                queue.put(1);
                queue.get();
                queue.get();
                counting[0] = false;
                return null;
            });
        }
        return yields.get();
    }

    // ------------------------------------------------------------------ any budget

    /**
     * Under any budget, a consumer that asks for its own cancellation while items are plentiful takes at
     * most one budget's worth more, is cancelled at a forced yield (or at a wait once the queue is empty)
     * with no item taken there, and every item is taken exactly once, in order.
     */
    @Property(tries = 200)
    void cancelAtForcedYieldTakesNothing(@ForAll @IntRange(min = 1, max = 20) int budget,
                                         @ForAll @IntRange(min = 1, max = 120) int items,
                                         @ForAll @IntRange(min = 0, max = 40) int before,
                                         @ForAll boolean universal) throws Exception {
        Q queue = universal ? universalQueue() : taskQueue();
        List<Integer> taken = new ArrayList<>();
        int[] afterRequest = new int[1];
        run(budget, VirtualClock.create(), () -> {
            for (int i = 0; i < items; i++) {
                queue.put(i);
            }
            Task<?> consumer = Curio.spawn(() -> {
                for (int i = 0; i < before && taken.size() < items; i++) {
                    taken.add(queue.get());
                }
                Curio.currentTask().requestCancel();
                try {
                    while (true) {
                        taken.add(queue.get());
                        afterRequest[0]++;
                    }
                } catch (TaskCancelledException expected) {
                    // delivered at a forced yield, or at the wait on an empty queue
                }
            });
            consumer.await();
            for (Optional<Integer> item = queue.tryGet(); item.isPresent(); item = queue.tryGet()) {
                taken.add(item.get());
            }
            return null;
        });
        assertInOrder(taken, items);
        assertTrue(afterRequest[0] <= budget, () -> afterRequest[0] + " items taken after the cancel request, budget "
                + budget);
    }
}
