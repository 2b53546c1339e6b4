package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.traps.Task;

/**
 * Closing a queue loses and duplicates nothing: producers put their items and the last one to finish
 * closes the queue, while consumers (tasks with random timeouts on their gets, and for the universal
 * queue plain threads too) take until they see the end. Every item put is taken exactly once, every
 * consumer sees the end, and a put after the close fails and adds nothing.
 */
class QueueCloseProperties {
    /** Nothing is lost or duplicated across producers and consumers when the queue is closed. */
    @Property(tries = 100)
    void closeLosesNothing(@ForAll TestQueue.Kind kind,
                           @ForAll @IntRange(min = 1, max = 4) int producers,
                           @ForAll @IntRange(min = 1, max = 4) int consumers,
                           @ForAll @IntRange(min = 0, max = 2) int threadConsumers,
                           @ForAll @IntRange(min = 0, max = 30) int itemsEach,
                           @ForAll @IntRange(min = 0, max = 4) int maxsize,
                           @ForAll long seed) throws Exception {
        int threads = kind == TestQueue.Kind.UNIVERSAL ? threadConsumers : 0;
        TestQueue q = kind.create(maxsize);
        UniversalQueue<Integer> universal = q instanceof TestQueue.OfUniversal u ? u.q() : null;
        List<Integer> taken = Collections.synchronizedList(new ArrayList<>());
        int[] ends = new int[1];
        // Universal getters wait on futures, so the clock waits its autojump threshold of real time before
        // each jump; 1 ms keeps a try short, and no outcome here depends on it.
        SyncHarness.runVoid(VirtualClock.withAutojumpThreshold(Duration.ofMillis(1)), () -> {
            List<CompletableFuture<Void>> takers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                takers.add(UniversalQueueTest.thread(() -> {
                    try {
                        while (true) {
                            taken.add(universal.take());
                        }
                    } catch (EndOfQueueException end) {
                        synchronized (ends) {
                            ends[0]++;
                        }
                    }
                }));
            }
            List<Task<?>> tasks = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                SplittableRandom random = new SplittableRandom(seed + 31L * c);
                tasks.add(Curio.spawn(() -> {
                    try {
                        while (true) {
                            Duration patience = Duration.ofMillis(1 + random.nextInt(5));
                            Optional<Integer> item = Timeouts.ignoreAfter(patience, q::get);
                            item.ifPresent(taken::add);
                        }
                    } catch (EndOfQueueException end) {
                        synchronized (ends) {
                            ends[0]++;
                        }
                    }
                }));
            }
            int[] running = {producers};
            List<Task<?>> producing = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                SplittableRandom random = new SplittableRandom(~seed + 17L * p);
                producing.add(Curio.spawn(() -> {
                    for (int i = 0; i < itemsEach; i++) {
                        if (random.nextInt(3) == 0) {
                            Timeouts.sleep(Duration.ofMillis(random.nextInt(4)));
                        }
                        q.put(id * 1000 + i);
                    }
                    if (--running[0] == 0) {
                        q.close();
                        assertThrows(IllegalStateException.class, () -> q.put(-1));
                    }
                }));
            }
            for (Task<?> t : producing) {
                t.join();
            }
            for (Task<?> t : tasks) {
                t.join();
            }
            for (CompletableFuture<Void> t : takers) {
                Curio.awaitFuture(t.orTimeout(10, TimeUnit.SECONDS));
            }
        });
        List<Integer> expected = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            for (int i = 0; i < itemsEach; i++) {
                expected.add(p * 1000 + i);
            }
        }
        List<Integer> got = new ArrayList<>(taken);
        Collections.sort(got);
        assertEquals(expected, got, "items taken (lost or duplicated otherwise)");
        assertEquals(consumers + threads, ends[0], "consumers that saw the end");
        assertEquals(0, q.size());
    }
}
