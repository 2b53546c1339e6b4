package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.curio.traps.Task;
import org.jspecify.annotations.Nullable;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The same program runs in the same order on both backends: random trees of tasks that yield, sleep,
 * spawn, join and cancel, on a virtual clock, record the same events (their own and every
 * activation) whether the loop runs on the kernel's thread (continuations) or is passed from task
 * thread to task thread (virtual threads). Runs where both backends are available (the continuation
 * build, which exports {@code jdk.internal.vm}).
 */
class BackendOrderProperties {

    @Property(tries = 60)
    void virtualThreadsRunInTheOrderOfContinuations(@ForAll long seed, @ForAll boolean perturb) throws Exception {
        if (!org.curio.traps.spi.Backend.continuationsAvailable()) {
            return;                                       // the virtual-only build: nothing to compare with
        }
        List<String> continuation = trace(CoroutineBackend.CONTINUATION, seed, perturb);
        List<String> virtual = trace(CoroutineBackend.VIRTUAL, seed, perturb);
        assertEquals(continuation, virtual);
    }

    private static List<String> trace(CoroutineBackend backend, long seed, boolean perturb) throws Exception {
        BatonTest.Recorder r = new BatonTest.Recorder();
        Kernel.Builder b = Kernel.builder().backend(backend).clock(VirtualClock.create()).activation(r);
        if (perturb) {
            b.perturbSchedule(seed);
        }
        try (Kernel kernel = b.build()) {
            kernel.run(() -> {
                body(r, seed, "m", 0);
                return null;
            });
        }
        return r.events;
    }

    /**
     * A task's random program, drawn from its own generator (seeded by the seed and its path in the
     * tree), so it does the same whatever order the tasks run in.
     */
    private static void body(BatonTest.Recorder r, long seed, String path, int depth) throws Exception {
        SplittableRandom random = new SplittableRandom(seed ^ path.hashCode() * 0x9E3779B97F4A7C15L);
        List<Task<?>> children = new ArrayList<>();
        int ops = random.nextInt(8);
        for (int i = 0; i < ops; i++) {
            String here = path + "." + i;
            switch (random.nextInt(depth < 3 ? 6 : 3)) {
                case 0 -> Curio.schedule();
                case 1 -> Timeouts.sleep(Duration.ofMillis(random.nextInt(3) * 10L));
                case 2 -> r.add(here);
                case 3, 4 -> {
                    boolean daemon = random.nextInt(4) == 0;
                    Task<?> child = daemon
                            ? Curio.spawnDaemon(here, () -> {
                                body(r, seed, here, depth + 1);
                                return null;
                            })
                            : Curio.spawn(here, () -> {
                                body(r, seed, here, depth + 1);
                                return null;
                            });
                    children.add(child);
                }
                default -> {
                    if (!children.isEmpty()) {
                        Task<?> victim = children.get(random.nextInt(children.size()));
                        if (random.nextBoolean()) {
                            victim.cancel();
                        } else {
                            join(victim);
                        }
                    }
                }
            }
        }
        for (Task<?> child : children) {
            join(child);
        }
        r.add(path + " done");
    }

    private static @Nullable Object join(Task<?> t) throws Exception {
        try {
            return t.join();
        } catch (org.curio.traps.TaskException e) {
            return null;                                  // a cancelled child: its end is recorded anyway
        }
    }
}
