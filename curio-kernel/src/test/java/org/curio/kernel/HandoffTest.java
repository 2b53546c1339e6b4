package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hand-offs from plain threads: a wake-up is never lost, and idle kernels on the virtual-thread
 * backend do not hold the carrier threads other kernels need.
 */
class HandoffTest {
    /**
     * A thread completes, one at a time, futures that a task awaits with no timeout: every round trip
     * finishes (a hand-off racing the loop's move into its blocking wait must wake it).
     */
    @Test
    @Timeout(60)
    void noLostWakeUps() throws Exception {
        int rounds = 20_000 * Integer.getInteger("curio.stress", 1);
        SynchronousQueue<CompletableFuture<Integer>> handoff = new SynchronousQueue<>();
        Thread completer = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) {
                    handoff.take().complete(1);
                }
            } catch (InterruptedException e) {
                // test over
            }
        });
        try (Kernel kernel = Kernel.create()) {
            int sum = kernel.run(() -> {
                int total = 0;
                for (int i = 0; i < rounds; i++) {
                    CompletableFuture<Integer> f = new CompletableFuture<>();
                    handoff.put(f);
                    total += Curio.awaitFuture(f);
                }
                return total;
            });
            assertEquals(rounds, sum);
        } finally {
            completer.interrupt();
        }
    }

    /**
     * More idle kernels than carrier threads (each blocked waiting for a future) do not stop another
     * kernel from running its tasks.
     */
    @Test
    @Timeout(60)
    void idleKernelsDoNotStarveOthers() throws Exception {
        int idle = Runtime.getRuntime().availableProcessors() + 2;
        CompletableFuture<Void> release = new CompletableFuture<>();
        CountDownLatch waiting = new CountDownLatch(idle);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < idle; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (Kernel kernel = Kernel.create()) {
                    kernel.run(() -> {
                        waiting.countDown();
                        return Curio.awaitFuture(release);
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        try {
            waiting.await(30, TimeUnit.SECONDS);
            try (Kernel busy = Kernel.create()) {
                long sum = busy.run(() -> {
                    long total = 0;
                    for (int i = 0; i < 100; i++) {
                        int n = i;
                        total += Curio.spawn(() -> {
                            Timeouts.sleep(java.time.Duration.ofMillis(1));
                            return n;
                        }).join();
                    }
                    return total;
                });
                assertEquals(4950, sum);
            }
        } finally {
            release.complete(null);
            for (Thread t : threads) {
                t.join();
            }
        }
    }
}
