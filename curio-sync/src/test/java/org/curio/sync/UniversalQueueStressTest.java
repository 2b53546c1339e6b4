package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Timeouts;
import org.curio.traps.Task;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * R5: a universal queue between 1–8 producer threads and consumer tasks in one or several kernels, on
 * the real clock, with consumers whose gets time out after a few microseconds, so that grants race
 * timeouts constantly (also in the same kernel tick): 0 lost, 0 duplicated, and each consumer sees each
 * producer's items in order. 2,000 items per configuration in CI, times {@code -Dcurio.stress}.
 */
class UniversalQueueStressTest {
    private static final int POISON = -1;

    /** Every item produced by the threads is consumed exactly once, in per-producer order per consumer. */
    @ParameterizedTest(name = "{0} producer threads, {1} kernels x {2} consumer tasks, maxsize {3}")
    @CsvSource({"1, 1, 1, 1", "2, 1, 3, 4", "8, 1, 2, 16", "1, 2, 1, 2", "4, 2, 2, 8", "8, 3, 2, 0"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void noLossNoDuplicationOrderKept(int producers, int kernels, int tasksPerKernel, int maxsize) throws Exception {
        int items = 2_000 * SyncHarness.stress();
        int consumers = kernels * tasksPerKernel;
        var queue = new UniversalQueue<Integer>(maxsize);
        List<List<Integer>> received = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            received.add(Collections.synchronizedList(new ArrayList<>()));
        }
        AtomicLong timeouts = new AtomicLong();
        SyncHarness.withWatchdog(Duration.ofSeconds(100), () -> queue + " received "
                + received.stream().mapToInt(List::size).sum() + " of " + items, () -> {
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int k = 0; k < kernels; k++) {
                int first = k * tasksPerKernel;
                running.add(UniversalQueueTest.thread(() -> {
                    try (Kernel kernel = Kernel.create()) {
                        kernel.run(() -> consumeAll(queue, received.subList(first, first + tasksPerKernel), timeouts));
                    }
                }));
            }
            List<CompletableFuture<Void>> producing = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                producing.add(UniversalQueueTest.thread(() -> {
                    for (int i = id; i < items; i += producers) {
                        queue.put(i);
                    }
                }));
            }
            CompletableFuture.allOf(producing.toArray(CompletableFuture[]::new)).get();
            for (int c = 0; c < consumers; c++) {
                queue.put(POISON);
            }
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get();
            return null;
        });
        List<Integer> all = new ArrayList<>();
        for (List<Integer> r : received) {
            Map<Integer, Integer> last = new HashMap<>();
            for (int item : r) {
                Integer before = last.put(item % producers, item);
                assertTrue(before == null || before < item, () -> "producer order broken: " + before + " then " + item);
            }
            all.addAll(r);
        }
        Collections.sort(all);
        assertEquals(items, all.size(), "items received (lost or duplicated otherwise)");
        for (int i = 0; i < items; i++) {
            assertEquals(i, all.get(i), "item " + i);
        }
        assertEquals(new UniversalQueue.Statistics(0, maxsize, 0, 0, items + consumers), queue.statistics());
        System.out.printf("R5 %d producers, %d kernels x %d tasks, maxsize %d: %d items, %d timed-out gets%n",
                producers, kernels, tasksPerKernel, maxsize, items, timeouts.get());
    }

    private static void consumeAll(UniversalQueue<Integer> queue, List<List<Integer>> into, AtomicLong timeouts)
            throws Exception {
        List<Task<?>> tasks = new ArrayList<>();
        for (List<Integer> mine : into) {
            tasks.add(Curio.spawn(() -> {
                long n = 0;
                while (true) {
                    n++;
                    // Discussion: every get has a timeout, most of a few microseconds so that grants race
                    // timeouts all the time; every third waits long enough (20 ms) to be granted.
                    Duration wait = n % 3 == 0 ? Duration.ofMillis(20) : Duration.ofNanos(1_000 + (n % 7) * 3_000);
                    Optional<Integer> item = Timeouts.ignoreAfter(wait, queue::get);
                    if (item.isEmpty()) {
                        timeouts.incrementAndGet();
                        continue;
                    }
                    if (item.get() == POISON) {
                        return;
                    }
                    mine.add(item.get());
                }
            }));
        }
        for (Task<?> t : tasks) {
            t.join();
        }
    }
}
