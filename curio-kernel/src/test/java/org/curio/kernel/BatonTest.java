package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.curio.kernel.spi.Activation;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How control passes between tasks: on the virtual-thread backend a task that switches out runs the
 * loop's next step on its own thread and hands control straight to the next task. Whatever thread
 * runs the loop, the order of events is the loop's: one batch per turn, activations in order. Runs on
 * the backend the build selected.
 */
class BatonTest {

    /** Records activations and the tasks' own events in one list (one kernel: no locking needed). */
    static final class Recorder implements Activation {
        final List<String> events = new ArrayList<>();

        void add(String event) {
            events.add(event);
        }

        @Override
        public void running(Task<?> task) {
            events.add("run " + task.name());
        }

        @Override
        public void suspended(Task<?> task, Trap<?> trap) {
            events.add("suspend " + task.name() + " " + trap.getClass().getSimpleName());
        }

        @Override
        public void terminated(Task<?> task, @Nullable Throwable failure) {
            events.add("end " + task.name() + (failure == null ? "" : " " + failure.getClass().getSimpleName()));
        }
    }

    /** Runs {@code main} on a fresh virtual-clock kernel of the build's backend with {@code recorder} attached. */
    static <T> T run(Recorder recorder, Callable<T> main) throws Exception {
        try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).activation(recorder).build()) {
            return kernel.run(main);
        }
    }

    @Test
    void tasksThatYieldTakeTurnsInSpawnOrder() throws Exception {
        Recorder r = new Recorder();
        run(r, () -> {
            List<Task<?>> tasks = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                tasks.add(Curio.spawn(name, () -> {
                    for (int i = 0; i < 2; i++) {
                        r.add(name + i);
                        Curio.schedule();
                    }
                    return null;
                }));
            }
            for (Task<?> t : tasks) {
                t.join();
            }
            return null;
        });
        assertEquals(List.of(
                "run main", "suspend main SchedWait",
                "run a", "a0", "suspend a Sleep", "run b", "b0", "suspend b Sleep", "run c", "c0", "suspend c Sleep",
                "run a", "a1", "suspend a Sleep", "run b", "b1", "suspend b Sleep", "run c", "c1", "suspend c Sleep",
                "run a", "end a", "run b", "end b", "run c", "end c",
                "run main", "end main"), r.events);
    }

    @Test
    void aChainOfSpawnsAndJoinsUnwindsInOrder() throws Exception {
        Recorder r = new Recorder();
        int depth = 50;
        int result = run(r, () -> chain(r, depth));
        assertEquals(depth, result);
        List<String> expected = new ArrayList<>();
        for (int i = depth; i > 0; i--) {
            expected.add("enter " + i);
        }
        for (int i = 1; i <= depth; i++) {
            expected.add("leave " + i);
        }
        assertEquals(expected, r.events.stream().filter(e -> e.startsWith("enter") || e.startsWith("leave")).toList());
        assertEquals(depth, r.events.stream().filter(e -> e.startsWith("end ")).count());
    }

    private static int chain(Recorder r, int level) throws Exception {
        r.add("enter " + level);
        int below = level == 1 ? 0 : Curio.spawn("c" + (level - 1), () -> chain(r, level - 1)).join();
        r.add("leave " + level);
        return below + 1;
    }

    @Test
    void aTaskThatEndsWhileOthersAreReadyPassesControlOn() throws Exception {
        Recorder r = new Recorder();
        run(r, () -> {
            Task<?> a = Curio.spawn("a", () -> {
                Curio.schedule();
                r.add("a again");
                return null;
            });
            Task<?> b = Curio.spawn("b", () -> {
                r.add("b ends");
                return null;
            });
            Task<?> c = Curio.spawn("c", () -> {
                Curio.schedule();
                r.add("c again");
                return null;
            });
            a.join();
            b.join();
            c.join();
            return null;
        });
        assertEquals(List.of(
                "run main", "suspend main SchedWait",
                "run a", "suspend a Sleep", "run b", "b ends", "end b", "run c", "suspend c Sleep",
                "run a", "a again", "end a", "run c", "c again", "end c",
                "run main", "end main"), r.events);
    }

    @Test
    void mainEndingWhileOthersAreReadyFinishesTheTurnAndLeavesDaemonsToClose() throws Exception {
        Recorder r = new Recorder();
        List<Thread> threads = new ArrayList<>();
        Kernel kernel = Kernel.builder().clock(VirtualClock.create()).activation(r).build();
        try {
            kernel.run(() -> {
                TestSupport.Event woken = new TestSupport.Event();
                for (String name : List.of("d1", "d2")) {
                    Curio.spawnDaemon(name, () -> {
                        threads.add(Thread.currentThread());
                        woken.set();                      // main is ready before d1 and d2 next turn
                        while (true) {
                            Curio.schedule();
                        }
                    });
                }
                woken.await();
                r.add("main returns");
                return null;
            });
            // The turn in which main ended ran to its end: d1 and d2 ran once more after main.
            assertEquals(List.of(
                    "run main", "suspend main SchedWait", "run d1", "suspend d1 Sleep", "run d2", "suspend d2 Sleep",
                    "run main", "main returns", "end main", "run d1", "suspend d1 Sleep", "run d2",
                    "suspend d2 Sleep"), r.events);
            r.events.clear();
        } finally {
            kernel.close();
        }
        // close() cancels them newest first, while they keep yielding until their cancellation lands.
        assertEquals(List.of("run d1", "run d2", "run d1", "run d2", "end d2 TaskCancelledException", "run d1",
                        "run d1", "end d1 TaskCancelledException"),
                r.events.stream().filter(e -> e.startsWith("run d") || e.startsWith("end d")).toList());
        assertNoThreadLeft(kernel, threads);
    }

    @Test
    @Timeout(30)
    void anIdleKernelIsWokenByAnotherThread() throws Exception {
        long pollersBefore = pollerThreads();
        CompletableFuture<String> future = new CompletableFuture<>();
        Thread completer = Thread.ofPlatform().start(() -> {
            // Complete only once the kernel has handed its wait to the poller thread, or after a bound.
            for (int i = 0; i < 2_000 && pollerThreads() <= pollersBefore; i++) {
                sleepQuietly(1);
            }
            future.complete("woken");
        });
        try (Kernel kernel = Kernel.create()) {
            assertEquals("woken", kernel.run(() -> Curio.awaitFuture(future)));
        } finally {
            completer.join();
        }
        assertEquals(pollersBefore, pollerThreads(), "the kernel's poller thread is still running after close");
    }

    @Test
    @Timeout(30)
    void aTimerEndsAnIdleWait() throws Exception {
        try (Kernel kernel = Kernel.create()) {
            long elapsed = kernel.run(() -> {
                long start = System.nanoTime();
                Timeouts.sleep(Duration.ofMillis(20));
                return System.nanoTime() - start;
            });
            assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(20), "slept only " + elapsed + " ns");
        }
    }

    @Test
    @Timeout(30)
    void runAgainAndTwoKernelsAtOnce() throws Exception {
        List<Thread> threads = new ArrayList<>();
        Kernel one = Kernel.create();
        try (one; Kernel two = Kernel.create()) {
            CompletableFuture<Integer> fromTwo = new CompletableFuture<>();
            for (int round = 0; round < 2; round++) {
                Thread other = Thread.ofPlatform().start(() -> {
                    try {
                        fromTwo.obtrudeValue(two.run(() -> pingPong(threads, 1_000)));
                    } catch (Exception e) {
                        fromTwo.obtrudeException(e);
                    }
                });
                assertEquals(2_000, one.run(() -> pingPong(threads, 1_000)));
                other.join();
                assertEquals(2_000, fromTwo.get());
            }
        }
        assertNoThreadLeft(one, threads);
    }

    private static int pingPong(List<Thread> threads, int rounds) throws Exception {
        Callable<Integer> body = () -> {
            synchronized (threads) {
                threads.add(Thread.currentThread());
            }
            for (int i = 0; i < rounds; i++) {
                Curio.schedule();
            }
            return rounds;
        };
        Task<Integer> a = Curio.spawn(body);
        Task<Integer> b = Curio.spawn(body);
        return a.join() + b.join();
    }

    private static long pollerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("curio-poller")).count();
    }

    /** On the virtual-thread backend, every task's thread has ended (on continuations there are none). */
    private static void assertNoThreadLeft(Kernel kernel, List<Thread> threads) throws InterruptedException {
        assertFalse(threads.isEmpty());
        if (kernel.backend() != CoroutineBackend.VIRTUAL) {
            return;
        }
        for (Thread t : threads) {
            assertTrue(t.join(Duration.ofSeconds(3)), () -> t + " still alive after close");
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
