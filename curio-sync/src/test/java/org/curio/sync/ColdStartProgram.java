package org.curio.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.curio.kernel.Cancellation;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.TaskLocal;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.TimeoutCancellationException;

/**
 * The core scenarios, run one after another in a JVM of their own by {@link ColdStartTest}, so that
 * every class of the library is used for the first time by them. Prints one marker line before and
 * one after each scenario (the test reads which classes the JVM initialized in between) and the
 * scenario's outcome; exits with status 0 unless something escaped.
 */
final class ColdStartProgram {
    private ColdStartProgram() {}

    /** A scenario: the main task of a fresh kernel on a virtual clock, returning its outcome. */
    private interface Scenario extends Callable<String> {}

    /** {@return the scenarios, by name, in the order they run} */
    @SuppressWarnings("try")                             // a shield is used only for its extent
    static Map<String, Scenario> scenarios() {
        Map<String, Scenario> s = new LinkedHashMap<>();
        s.put("spawn-join", () -> {
            Task<Integer> child = Curio.spawn(() -> 6 * 7);
            return "joined " + child.join();
        });
        s.put("cancel-sleeping", () -> {
            List<String> seen = new ArrayList<>();
            Task<?> child = Curio.spawn(() -> {
                try {
                    Timeouts.sleep(Duration.ofSeconds(10));
                } catch (CancelledException e) {
                    seen.add(e.getClass().getSimpleName() + " at " + seconds());
                    throw e;
                }
            });
            Timeouts.sleep(Duration.ofSeconds(1));
            child.cancel();
            return seen + ", cancelled " + child.isCancelled();
        });
        s.put("cancel-with-pending-timeout", () -> {
            List<String> seen = new ArrayList<>();
            Task<?> child = Curio.spawn(() -> {
                try {
                    Timeouts.after(Duration.ofSeconds(5), () -> Timeouts.sleep(Duration.ofSeconds(10)));
                } catch (CancelledException e) {
                    seen.add(e.getClass().getSimpleName() + " at " + seconds());
                    throw e;
                }
            });
            Timeouts.sleep(Duration.ofSeconds(1));
            child.cancel();
            Timeouts.sleep(Duration.ofSeconds(10));              // the cancelled timeout never fires
            return seen + ", then quiet until " + seconds();
        });
        s.put("timeout-expires", () -> {
            try {
                Timeouts.after(Duration.ofSeconds(2), () -> Timeouts.sleep(Duration.ofSeconds(5)));
                return "no timeout";
            } catch (TaskTimeoutException e) {
                return e.getMessage() + " at " + seconds();
            }
        });
        s.put("nested-timeouts", () -> {
            List<String> seen = new ArrayList<>();
            try {
                Timeouts.after(Duration.ofSeconds(1), () -> {
                    try {
                        Timeouts.after(Duration.ofSeconds(5), () -> Timeouts.sleep(Duration.ofSeconds(10)));
                    } catch (TimeoutCancellationException e) {
                        seen.add("inner TimeoutCancellationException");
                        throw e;
                    }
                });
            } catch (TaskTimeoutException e) {
                seen.add("outer TaskTimeoutException at " + seconds());
            }
            return String.join(", ", seen);
        });
        s.put("task-group-failure", () -> {
            try (TaskGroup<Object> group = TaskGroup.open()) {
                group.spawn(() -> {
                    Timeouts.sleep(Duration.ofSeconds(1));
                    throw new IllegalStateException("boom");
                });
                Task<?> sleeper = group.spawn(() -> Timeouts.sleep(Duration.ofSeconds(10)));
                group.join();
                return "failed with " + group.exception().orElseThrow() + ", sleeper cancelled "
                        + sleeper.isCancelled() + " at " + seconds();
            }
        });
        s.put("shielded-region", () -> {
            List<String> seen = new ArrayList<>();
            Task<?> child = Curio.spawn(() -> {
                try (var shield = Cancellation.shield()) {
                    Timeouts.sleep(Duration.ofSeconds(2));
                    seen.add("slept through at " + seconds());
                } catch (CancelledException e) {
                    seen.add(e.getClass().getSimpleName() + " at the end of the region at " + seconds());
                    throw e;
                }
            });
            Timeouts.sleep(Duration.ofSeconds(1));
            child.cancel();
            return String.join(", ", seen);
        });
        s.put("queue", () -> {
            var queue = new Queue<Integer>(1);
            Task<Integer> consumer = Curio.spawn(() -> {
                int sum = 0;
                for (int i = 0; i < 3; i++) {
                    sum += queue.get();
                }
                return sum;
            });
            for (int i = 1; i <= 3; i++) {
                queue.put(i);
            }
            return "sum " + consumer.join();
        });
        s.put("lock", () -> {
            var lock = new Lock();
            List<String> seen = new ArrayList<>();
            lock.acquire();
            Task<?> waiter = Curio.spawn(() -> {
                lock.acquire();
                seen.add("acquired at " + seconds());
                lock.release();
            });
            Timeouts.sleep(Duration.ofSeconds(1));
            lock.release();
            waiter.join();
            return String.join(", ", seen);
        });
        s.put("event", () -> {
            var event = new Event();
            Task<String> waiter = Curio.spawn(() -> {
                event.await();
                return "woken at " + seconds();
            });
            Timeouts.sleep(Duration.ofSeconds(3));
            event.set();
            return waiter.join();
        });
        s.put("universal-queue", () -> {
            var queue = new UniversalQueue<String>();
            Thread producer = Thread.ofPlatform().start(() -> {
                try {
                    queue.put("from a thread");
                } catch (CancelledException e) {
                    throw new IllegalStateException(e);
                }
            });
            String item = queue.get();
            producer.join();
            return item;
        });
        s.put("task-local", () -> {
            TaskLocal<String> local = TaskLocal.withInitial(() -> "none");
            local.set("parent's");
            return Curio.spawn(local::get).join();
        });
        return s;
    }

    private static String seconds() {
        return Duration.ofNanos(Timeouts.clock()).toString();
    }

    /**
     * Runs every scenario (or those named) on a fresh kernel each.
     *
     * @param args scenario names; none for all
     */
    public static void main(String[] args) {
        List<String> only = List.of(args);
        boolean failed = false;
        for (var e : scenarios().entrySet()) {
            if (!only.isEmpty() && !only.contains(e.getKey())) {
                continue;
            }
            VirtualClock clock = VirtualClock.create();
            Kernel kernel = Kernel.builder().clock(clock).build();
            System.out.println("@@ begin " + e.getKey());
            String outcome;
            try {
                outcome = kernel.run(e.getValue());
            } catch (Exception | Error x) {
                outcome = "FAILED " + x;
                x.printStackTrace(System.out);
                failed = true;
            } finally {
                kernel.close();
            }
            System.out.println("@@ end " + e.getKey() + ": " + outcome);
        }
        System.out.flush();
        System.exit(failed ? 1 : 0);
    }
}
