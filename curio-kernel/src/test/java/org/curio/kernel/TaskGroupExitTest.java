package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.curio.kernel.TestSupport.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.junit.jupiter.api.Test;

/**
 * Leaving a task group's block once its wait policy is satisfied (curio's "any remaining tasks are
 * magically cancelled"), typed results, named daemons with results, and the typed kernel trap.
 */
class TaskGroupExitTest {
    /** A child that never finishes by itself, and records its cancellation. */
    private static Callable<String> stalled(Harness.Events events, String name) {
        return () -> {
            try {
                Timeouts.sleep(Duration.ofDays(1));
                return name;
            } catch (CancelledException e) {
                events.add(at(name + " cancelled"));
                throw e;
            }
        };
    }

    /**
     * Returning the first result from inside a Wait.ANY block cancels the stalled child and returns the
     * value: close() neither throws nor waits for the child to finish by itself.
     */
    @Test
    void returningFromAnAnyBlockCancelsTheRest() throws Exception {
        var events = new Harness.Events();
        String won = Harness.run(() -> {
            try (TaskGroup<String> group = TaskGroup.open(TaskGroup.Wait.ANY)) {
                group.spawn(stalled(events, "stalled"));
                group.spawn(() -> {
                    Timeouts.sleep(seconds(1));
                    return "fast";
                });
                String first = group.nextResult();
                events.add(at("first " + first));
                return first;
            } finally {
                events.add(at("left the block"));
            }
        });
        assertEquals("fast", won);
        events.assertEquals("first fast@1", "stalled cancelled@1", "left the block@1");
    }

    /** A Wait.OBJECT block is satisfied by the first non-null result; a null one does not satisfy it. */
    @Test
    void objectBlockIsSatisfiedByANonNullResultOnly() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var e = assertThrows(IllegalStateException.class, () -> {
                try (TaskGroup<String> group = TaskGroup.open(TaskGroup.Wait.OBJECT)) {
                    group.spawn(() -> null);
                    group.spawn(stalled(events, "stalled"));
                    events.add(at("null result " + group.nextResult()));
                }
            });
            events.add(at(e.getMessage()));
            TaskGroup<String> ran = TaskGroup.run(TaskGroup.Wait.OBJECT, group -> {
                group.spawn(stalled(events, "second"));
                group.spawn(() -> "value");
                events.add(at("got " + group.nextResult()));
            });
            assertEquals(Optional.of("value"), ran.completed().map(Task::result));
            assertEquals("value", ran.result());
        });
        events.assertEquals("null result null@0", "stalled cancelled@0",
                "task group closed without join(): cancelled 1 unfinished task(s) before one returned a result;"
                        + " call join(), or nextResult() until it gives what Wait.OBJECT waits for, before the end"
                        + " of the block@0",
                "got value@0", "second cancelled@0");
    }

    /** Results come back typed: no cast at the call site, and a void body's result is null. */
    @Test
    void resultsAreTyped() throws Exception {
        Harness.runVoid(() -> {
            TaskGroup<Integer> group = TaskGroup.run(TaskGroup.Wait.ALL, g -> {
                Task<Integer> two = g.spawn(() -> 2);
                g.spawn(() -> 3);
                g.spawn(() -> Timeouts.sleep(Duration.ZERO));     // a void body: its result is null
                assertEquals(2, two.join());                       // joined directly: leaves the group
            });
            List<Integer> results = group.results();
            assertEquals(java.util.Arrays.asList(3, null), results);
            int sum = 0;
            for (Integer i : results) {
                sum += i == null ? 0 : i;
            }
            assertEquals(3, sum);
        });
    }

    /** Daemons may be named and have results; the group cancels them and the holder reads the outcome. */
    @Test
    void namedDaemonsWithResults() throws Exception {
        Harness.runVoid(() -> {
            Task<String> free = Curio.spawnDaemon("ticker", () -> "tick");
            Task<Void> quiet = Curio.spawnDaemon("quiet", () -> Timeouts.sleep(Duration.ZERO));
            assertEquals("tick", free.join());
            quiet.join();
            assertEquals(List.of("ticker", "quiet", true, true), List.of(free.name(), quiet.name(),
                    free.isDaemon(), quiet.isDaemon()));
            Task<Integer> inGroup;
            try (TaskGroup<String> group = TaskGroup.open()) {
                inGroup = group.spawnDaemon("counter", () -> {
                    Timeouts.sleep(Duration.ofDays(1));
                    return 1;
                });
                group.spawn(() -> "done");
                group.join();
                assertEquals(List.of("done"), group.results());
            }
            assertTrue(inGroup.isCancelled() && inGroup.isTerminated() && inGroup.isDaemon());
            assertEquals("counter", inGroup.name());
        });
    }

    /** GetKernel answers the kernel as the type asked for, and names both types when it is not one. */
    @Test
    void getKernelIsTyped() throws Exception {
        Harness.runVoid(() -> {
            Kernel k = Traps.call(new Trap.GetKernel<>(Kernel.class));
            assertEquals(Curio.kernel(), k);
            var e = assertThrows(ClassCastException.class, () -> Traps.call(new Trap.GetKernel<>(String.class)));
            assertEquals("GetKernel(java.lang.String): the kernel is a org.curio.kernel.Kernel; ask for that type"
                    + " or one of its supertypes", e.getMessage());
        });
    }
}
