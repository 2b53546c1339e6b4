package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.curio.kernel.TestSupport.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Task groups: wait policies, existing tasks, results and failures, daemons, and the guarantee that
 * no task outlives its group. Ports the task-group tests of curio 1.6's {@code tests/test_task.py};
 * curio's {@code async with TaskGroup()} becomes either try-with-resources with an explicit
 * {@code join()}, or the functional {@link TaskGroup#run}.
 */
class TaskGroupTest {
    /** A child that sleeps for an hour and, when cancelled, records it and takes {@code cleanup} to clean up. */
    private static VoidBody<RuntimeException> sleeper(Harness.Events events, String name, Duration cleanup) {
        return () -> {
            try {
                Timeouts.sleep(Duration.ofHours(1));
            } catch (CancelledException e) {
                events.add(at(name + " cancelled"));
                Timeouts.sleep(cleanup);
                events.add(at(name + " cleaned up"));
                throw e;
            }
        };
    }

    // ------------------------------------------------------------------ ports of test_task.py

    /** A group waits for all its tasks and collects their results in creation order (test_task_group). */
    @Test
    void collectsResults() throws Exception {
        Harness.runVoid(() -> {
            Task<Integer> t1;
            Task<Integer> t2;
            Task<Integer> t3;
            TaskGroup<Object> g;
            try (var group = TaskGroup.open()) {
                g = group;
                t3 = group.spawn(() -> {
                    Timeouts.sleep(seconds(0.3));
                    return 6;
                });
                t1 = group.spawn(() -> 2);
                t2 = group.spawn(() -> {
                    Timeouts.sleep(seconds(0.1));
                    return 4;
                });
                group.join();
            }
            assertEquals(2, t1.result());
            assertEquals(4, t2.result());
            assertEquals(6, t3.result());
            assertEquals(Arrays.asList(6, 2, 4), g.results());
            assertEquals(List.of(t3, t1, t2), g.tasks());
            assertEquals(seconds(0.3).toNanos(), Timeouts.clock());
        });
    }

    /**
     * Daemon tasks, spawned into the group or added to it, never count as results or failures and are
     * cancelled when the group is joined (test_task_group_daemon).
     */
    @Test
    void daemonsAreNeitherResultsNorFailures() throws Exception {
        Harness.runVoid(() -> {
            Task<Void> t0 = Curio.spawnDaemon(() -> Timeouts.sleep(seconds(5)));
            Task<Integer> t1;
            Task<Void> t3;
            Task<Void> t4;
            TaskGroup<Object> g;
            try (TaskGroup<Object> group = TaskGroup.of(TaskGroup.Wait.ALL, List.of(t0))) {
                g = group;
                t1 = group.spawn(() -> 1 + 1);
                group.spawnDaemon(() -> {});
                t3 = group.spawnDaemon(() -> {
                    throw new ClassCastException("3 + \"3\"");
                });
                t4 = group.spawnDaemon(() -> Timeouts.sleep(seconds(5)));
                group.join();
            }
            assertEquals(2, t1.result());
            assertEquals(Arrays.asList(2), g.results());
            assertEquals(List.of(t1), g.tasks());
            assertTrue(t0.isCancelled() && t0.isTerminated());
            assertTrue(t4.isCancelled() && t4.isTerminated());
            assertInstanceOf(ClassCastException.class, t3.exception().orElseThrow());
            assertEquals(0, Timeouts.clock());
        });
    }

    /** When the functional body fails, a daemon child is cancelled too (test_task_group_daemon_error). */
    @Test
    void daemonCancelledWhenBodyFails() throws Exception {
        Harness.runVoid(() -> {
            List<Task<?>> spawned = new ArrayList<>();
            assertThrows(IllegalArgumentException.class, () -> TaskGroup.run(TaskGroup.Wait.ALL, g -> {
                spawned.add(g.spawnDaemon(() -> Timeouts.sleep(seconds(5))));
                throw new IllegalArgumentException("body failed");
            }));
            assertTrue(spawned.getFirst().isCancelled());
            assertTrue(spawned.getFirst().isTerminated());
        });
    }

    /**
     * A group built from existing tasks, finished or not, and one added later supervise them all
     * (test_task_group_existing).
     */
    @Test
    void existingTasks() throws Exception {
        Harness.runVoid(() -> {
            var evt = new TestSupport.Event();
            Task<Integer> t1 = Curio.spawn(() -> 2);
            Task<Integer> t2 = Curio.spawn(() -> {
                evt.await();
                return 4;
            });
            Task<Integer> t3 = Curio.spawn(() -> {
                evt.await();
                return 6;
            });
            Task<Integer> t4 = Curio.spawn(() -> 8);
            t1.join();
            t4.join();
            TaskGroup<Object> g;
            try (TaskGroup<Object> group = TaskGroup.of(TaskGroup.Wait.ALL, List.of(t1, t2, t3))) {
                g = group;
                evt.set();
                group.add(t4);
                group.join();
            }
            assertEquals(List.of(2, 4, 6, 8), List.of(t1.result(), t2.result(), t3.result(), t4.result()));
            assertEquals(Arrays.asList(2, 4, 6, 8), g.results());
        });
    }

    /** Wait.ANY returns with the first task to finish and cancels the others (test_task_any_cancel). */
    @Test
    void waitAnyCancelsTheRest() throws Exception {
        Harness.runVoid(() -> {
            var evt = new TestSupport.Event();
            Task<Integer> t1;
            Task<Integer> t2;
            Task<Integer> t3;
            TaskGroup<Object> g;
            try (var group = TaskGroup.open(TaskGroup.Wait.ANY)) {
                g = group;
                t1 = group.spawn(() -> 2);
                t2 = group.spawn(() -> {
                    evt.await();
                    return 4;
                });
                t3 = group.spawn(() -> {
                    evt.await();
                    return 6;
                });
                group.join();
            }
            assertEquals(2, t1.result());
            assertEquals(Optional.of(t1), g.completed());
            assertEquals(2, g.result());
            assertTrue(t2.isCancelled());
            assertTrue(t3.isCancelled());
            assertFalse(t1.isCancelled());
        });
    }

    /**
     * Wait.ANY with a failing first task: result() reports the failure, exception() returns it, and
     * every task has an exception (test_task_any_error).
     */
    @Test
    void waitAnyWithAFailure() throws Exception {
        Harness.runVoid(() -> {
            var evt = new TestSupport.Event();
            ClassCastException boom = new ClassCastException("1 + \"1\"");
            Task<Integer> t1;
            Task<Integer> t2;
            Task<Integer> t3;
            TaskGroup<Object> g;
            try (var group = TaskGroup.open(TaskGroup.Wait.ANY)) {
                g = group;
                t1 = group.spawn(() -> {
                    throw boom;
                });
                t2 = group.spawn(() -> {
                    evt.await();
                    return 4;
                });
                t3 = group.spawn(() -> {
                    evt.await();
                    return 6;
                });
                group.join();
            }
            assertSame(boom, assertThrows(TaskException.class, g::result).getCause());
            assertSame(boom, g.exception().orElseThrow());
            assertSame(boom, t1.exception().orElseThrow());
            assertTrue(t2.isCancelled());
            assertTrue(t3.isCancelled());
            assertTrue(g.exceptions().stream().allMatch(Optional::isPresent), g.exceptions().toString());
        });
    }

    /**
     * nextDone() hands out tasks as they finish and takes them out of the group, so results() is
     * then empty (test_task_group_iter).
     */
    @Test
    void nextDoneInCompletionOrder() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            TaskGroup<Object> g;
            try (var group = TaskGroup.open()) {
                g = group;
                for (int n : List.of(3, 1, 2)) {
                    group.spawn(() -> {
                        Timeouts.sleep(seconds(n));
                        return n + n;
                    });
                }
                Optional<Task<?>> done;
                while ((done = group.nextDone()).isPresent()) {
                    events.add(at("done " + done.get().result()));
                }
                group.join();
            }
            assertEquals(List.of(), g.results());
            assertEquals(List.of(), g.tasks());
        });
        events.assertEquals("done 2@1", "done 4@2", "done 6@3");
    }

    /** Wait.NONE cancels every task at once when joined (test_task_wait_none). */
    @Test
    void waitNoneCancelsEverything() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var evt = new TestSupport.Event();
            Task<Void> t2;
            Task<Void> t3;
            try (var group = TaskGroup.open(TaskGroup.Wait.NONE)) {
                t2 = group.spawn(sleeper(events, "t2", Duration.ZERO));
                t3 = group.spawn(evt::await);
                Curio.schedule();
                group.join();
                events.add(at("joined"));
            }
            assertTrue(t2.isCancelled());
            assertTrue(t3.isCancelled());
        });
        events.assertEquals("t2 cancelled@0", "t2 cleaned up@0", "joined@0");
    }

    /** A daemon joined directly leaves the group; the others' results are unaffected (test_task_join_daemon). */
    @Test
    void joinADaemonDirectly() throws Exception {
        Harness.runVoid(() -> {
            TaskGroup<Object> g;
            try (var group = TaskGroup.open()) {
                g = group;
                Task<Void> t2 = group.spawnDaemon(() -> Timeouts.sleep(seconds(0.1)));
                group.spawn(() -> {
                    Timeouts.sleep(seconds(0.1));
                    return 6;
                });
                t2.join();
                group.join();
            }
            assertEquals(Arrays.asList(6), g.results());
        });
    }

    /**
     * The first failure ends join() early and cancels the remaining tasks, which finish cleaning up
     * before join() returns (test_task_group_error).
     */
    @Test
    void firstFailureCancelsTheRest() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> t1;
            Task<Void> t2;
            Task<Integer> t3;
            TaskGroup<Object> g;
            try (var group = TaskGroup.open()) {
                g = group;
                t1 = group.spawn(sleeper(events, "t1", seconds(1)));
                t2 = group.spawn(sleeper(events, "t2", seconds(2)));
                t3 = group.spawn(() -> {
                    Timeouts.sleep(seconds(1));
                    throw new ClassCastException("3 + \"bad\"");
                });
                group.join();
                events.add(at("joined"));
            }
            assertInstanceOf(ClassCastException.class, t3.exception().orElseThrow());
            assertEquals(Optional.of(t3), g.completed());
            assertTrue(t1.isCancelled());
            assertTrue(t2.isCancelled());
            assertFalse(t3.isCancelled());
            var e = assertThrows(TaskException.class, g::results);
            assertInstanceOf(TaskCancelledException.class, e.getCause());  // t1 comes first
        });
        events.assertEquals("t1 cancelled@1", "t2 cancelled@1", "t1 cleaned up@2", "t2 cleaned up@3",
                "joined@3");
    }

    /**
     * When the body of the functional form throws, every child is cancelled and has finished before
     * the exception leaves (test_task_group_error_block).
     */
    @Test
    void functionalBodyThatThrowsCancelsChildrenFirst() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            List<Task<?>> spawned = new ArrayList<>();
            try {
                TaskGroup.run(TaskGroup.Wait.ALL, g -> {
                    for (String name : List.of("t1", "t2", "t3")) {
                        spawned.add(g.spawn(sleeper(events, name, seconds(1))));
                    }
                    Timeouts.sleep(seconds(1));
                    throw new IllegalStateException("body failed");
                });
            } catch (IllegalStateException e) {
                events.add(at("caught " + e.getMessage()));
            }
            assertTrue(spawned.stream().allMatch(t -> t.isCancelled() && t.isTerminated()));
        });
        events.assertEquals("t1 cancelled@1", "t2 cancelled@1", "t3 cancelled@1", "t1 cleaned up@2",
                "t2 cleaned up@2", "t3 cleaned up@2", "caught body failed@2");
    }

    /**
     * Joining a failed child directly takes it out of the group without cancelling the others, whose
     * outcome cannot be read before they finish (test_task_group_join).
     */
    @Test
    void joinAFailedChildDirectly() throws Exception {
        Harness.runVoid(() -> {
            var evt = new TestSupport.Event();
            Task<Integer> t2;
            Task<Integer> t3;
            TaskGroup<Object> g;
            try (var group = TaskGroup.open()) {
                g = group;
                Task<Integer> t1 = group.spawn(() -> {
                    evt.await();
                    throw new ClassCastException("1 + \"foo\"");
                });
                t2 = group.spawn(() -> {
                    evt.await();
                    return 4;
                });
                t3 = group.spawn(() -> {
                    evt.await();
                    return 6;
                });
                Curio.schedule();
                evt.set();
                var e = assertThrows(TaskException.class, t1::join);
                assertInstanceOf(ClassCastException.class, e.getCause());
                assertInstanceOf(ClassCastException.class, t1.exception().orElseThrow());
                assertThrows(TaskException.class, t1::result);
                group.join();
            }
            assertFalse(t2.isCancelled());
            assertFalse(t3.isCancelled());
            assertEquals(Arrays.asList(4, 6), g.results());
        });
    }

    /** Outcomes of unfinished children cannot be read while they run (test_task_group_join). */
    @Test
    void unfinishedChildOutcomeIsRefused() throws Exception {
        Harness.runVoid(() -> {
            var evt = new TestSupport.Event();
            try (var group = TaskGroup.open()) {
                Task<Void> t2 = group.spawn(evt::await);
                assertThrows(IllegalStateException.class, t2::result);
                assertThrows(IllegalStateException.class, t2::exception);
                evt.set();
                group.join();
            }
        });
    }

    /**
     * A task cancelled while it joins its group cancels every child before the cancellation leaves
     * (test_task_group_cancel).
     */
    @Test
    void ownerCancelledWhileJoining() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var started = new TestSupport.Event();
            List<Task<?>> children = new ArrayList<>();
            Task<Void> owner = Curio.spawn(() -> {
                try (var group = TaskGroup.open()) {
                    for (String name : List.of("t1", "t2", "t3")) {
                        children.add(group.spawn(sleeper(events, name, Duration.ZERO)));
                    }
                    started.set();
                    group.join();
                } catch (CancelledException e) {
                    events.add(at("owner cancelled, children cancelled: "
                            + children.stream().allMatch(t -> t.isCancelled() && t.isTerminated())));
                    throw e;
                }
            });
            started.await();
            owner.cancel();
            events.add(at("main done"));
        });
        events.assertEquals("t1 cancelled@0", "t2 cancelled@0", "t3 cancelled@0", "t1 cleaned up@0",
                "t2 cleaned up@0", "t3 cleaned up@0", "owner cancelled, children cancelled: true@0", "main done@0");
    }

    /** A timeout while joining cancels the children, then ends as TaskTimeoutException (test_task_group_timeout). */
    @Test
    void timeoutWhileJoining() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            List<Task<?>> children = new ArrayList<>();
            try {
                Timeouts.after(seconds(0.25), () -> {
                    try (var group = TaskGroup.open()) {
                        for (String name : List.of("t1", "t2", "t3")) {
                            children.add(group.spawn(sleeper(events, name, Duration.ZERO)));
                        }
                        group.join();
                    } catch (CancelledException e) {
                        events.add(at("group left with " + e.getClass().getSimpleName() + ", children cancelled: "
                                + children.stream().allMatch(Task::isCancelled)));
                        throw e;
                    }
                });
            } catch (TaskTimeoutException e) {
                events.add(at("timeout"));
            }
        });
        events.assertEquals("t1 cancelled@0.25", "t2 cancelled@0.25", "t3 cancelled@0.25", "t1 cleaned up@0.25",
                "t2 cleaned up@0.25", "t3 cleaned up@0.25",
                "group left with TaskTimeoutException, children cancelled: true@0.25", "timeout@0.25");
    }

    /** nextDone, nextResult and cancelRemaining used together (test_task_group_cancel_remaining). */
    @Test
    void nextDoneNextResultCancelRemaining() throws Exception {
        Harness.runVoid(() -> {
            var evt = new TestSupport.Event();
            Task<Integer> t0;
            Task<Void> t2;
            Task<Void> t3;
            TaskGroup<Object> g;
            try (var group = TaskGroup.open()) {
                g = group;
                t0 = group.spawn(() -> 1 + 1);
                group.spawn(() -> 2 + 2);
                t2 = group.spawn(evt::await);
                t3 = group.spawn(evt::await);
                assertSame(t0, group.nextDone().orElseThrow());
                assertEquals(4, group.nextResult());
                group.cancelRemaining();
                assertTrue(t2.isTerminated() && t3.isTerminated());
                group.join();
            }
            assertTrue(t2.isCancelled());
            assertTrue(t3.isCancelled());
            assertEquals(List.of(), g.tasks());
        });
    }

    /** nextResult() raises the failure of the task it hands out. */
    @Test
    void nextResultRaisesTheFailure() throws Exception {
        Harness.runVoid(() -> {
            try (var group = TaskGroup.open()) {
                group.spawn(() -> {
                    throw new ArithmeticException("division by zero");
                });
                var e = assertThrows(TaskException.class, group::nextResult);
                assertInstanceOf(ArithmeticException.class, e.getCause());
                assertThrows(IllegalStateException.class, group::nextResult);
                assertEquals(Optional.empty(), group.nextDone());
                group.join();
            }
        });
    }

    /**
     * A task already in a group cannot be added again, and a joined group refuses new tasks
     * (test_task_group_use_error).
     */
    @Test
    void misuseIsRefused() throws Exception {
        Harness.runVoid(() -> {
            TaskGroup<Object> g;
            Task<Void> t1;
            try (var group = TaskGroup.open()) {
                g = group;
                t1 = group.spawn(() -> Timeouts.sleep(Duration.ZERO));
                var e = assertThrows(IllegalStateException.class, () -> group.add(t1));
                assertTrue(e.getMessage().contains("already part of a task group"), e.getMessage());
                group.join();
            }
            var spawn = assertThrows(IllegalStateException.class, () -> g.spawn(() -> 1));
            assertTrue(spawn.getMessage().contains("already joined"), spawn.getMessage());
            assertThrows(IllegalStateException.class, () -> g.spawnDaemon(() -> {}));
            Task<Void> t2 = Curio.spawn(() -> Timeouts.sleep(Duration.ZERO));
            assertThrows(IllegalStateException.class, () -> g.add(t2));
            t2.join();
            assertEquals(List.of(t1), g.tasks());
        });
    }

    /** An empty group joins at once and reports no results, failures or first result (test_task_group_empty). */
    @Test
    void emptyGroup() throws Exception {
        Harness.runVoid(() -> {
            TaskGroup<Object> g;
            try (var group = TaskGroup.open()) {
                g = group;
                group.join();
            }
            assertEquals(Optional.empty(), g.exception());
            assertEquals(List.of(), g.exceptions());
            assertEquals(List.of(), g.results());
            assertEquals(Optional.empty(), g.completed());
            var e = assertThrows(IllegalStateException.class, g::result);
            assertTrue(e.getMessage().contains("no task successfully completed"), e.getMessage());
        });
    }

    /** cancelRemaining() on an empty group and on one with a fresh task (test_taskgroup_misc). */
    @Test
    void cancelRemainingMisc() throws Exception {
        Harness.runVoid(() -> {
            TaskGroup.open().cancelRemaining();
            TaskGroup<Object> g = TaskGroup.open();
            Task<Void> t = g.spawn(() -> Timeouts.sleep(Duration.ZERO));
            g.cancelRemaining();
            assertTrue(t.isCancelled() && t.isTerminated());
            assertEquals(List.of(), g.tasks());
            g.join();
        });
    }

    /** With Wait.ANY, result() is the first task's result (test_task_group_result). */
    @Test
    void waitAnyResult() throws Exception {
        Object result = Harness.run(() -> TaskGroup.run(TaskGroup.Wait.ANY, g -> {
            g.spawn(() -> 1 + 1);
            g.spawn(() -> 2 + 2);
            g.spawn(() -> 3 + 3);
        }).result());
        assertEquals(2, result);
    }

    /** A child joined directly inside the group is not among the group's results (test_task_group_join_done). */
    @Test
    void childJoinedDirectlyLeavesTheResults() throws Exception {
        Harness.runVoid(() -> {
            TaskGroup<Object> g = TaskGroup.run(TaskGroup.Wait.ALL, group -> {
                group.spawn(() -> 1 + 1);
                group.spawn(() -> 2 + 2);
                Task<Integer> t3 = group.spawn(() -> 3 + 3);
                assertEquals(6, t3.join());
            });
            assertEquals(Arrays.asList(2, 4), g.results());
        });
    }

    /** Results and failures cannot be read before the group is joined (test_errors). */
    @Test
    void outcomesRefusedBeforeJoin() throws Exception {
        Harness.runVoid(() -> {
            TaskGroup<Object> g = TaskGroup.open();
            for (var read : List.<org.junit.jupiter.api.function.Executable>of(g::result, g::exception, g::results,
                    g::exceptions, g::nextResult)) {
                assertThrows(IllegalStateException.class, read);
            }
            g.join();
            assertTrue(g.isJoined());
        });
    }

    // ------------------------------------------------------------------ beyond curio's tests

    /**
     * Wait.OBJECT returns with the first non-null result, skipping tasks that returned null, and
     * cancels the rest.
     */
    @Test
    void waitObjectSkipsNullResults() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<String> nothing;
            Task<String> something;
            Task<Void> slow;
            TaskGroup<Object> g;
            try (var group = TaskGroup.open(TaskGroup.Wait.OBJECT)) {
                g = group;
                nothing = group.spawn(() -> {
                    Timeouts.sleep(seconds(0.1));
                    return null;
                });
                something = group.spawn(() -> {
                    Timeouts.sleep(seconds(0.2));
                    return "x";
                });
                slow = group.spawn(sleeper(events, "slow", Duration.ZERO));
                group.join();
                events.add(at("joined"));
            }
            assertEquals(Optional.of(something), g.completed());
            assertEquals("x", g.result());
            assertFalse(nothing.isCancelled());
            assertTrue(slow.isCancelled());
        });
        events.assertEquals("slow cancelled@0.2", "slow cleaned up@0.2", "joined@0.2");
    }

    /**
     * Closing a group that was never joined cancels every unfinished child at once, waits for all of
     * their cleanups, and then throws IllegalStateException.
     */
    @Test
    void closeWithoutJoinCancelsAllAtOnceAndThrows() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            List<Task<?>> children = new ArrayList<>();
            var e = assertThrows(IllegalStateException.class, () -> {
                try (var group = TaskGroup.open()) {
                    for (String name : List.of("c1", "c2", "c3")) {
                        children.add(group.spawn(sleeper(events, name, seconds(1))));
                    }
                    children.add(group.spawn(() -> 42));
                    Curio.schedule();
                }
            });
            events.add(at("close threw: " + e.getMessage()));
            assertTrue(children.stream().allMatch(Task::isTerminated));
            assertEquals(42, children.getLast().result());
        });
        events.assertEquals("c1 cancelled@0", "c2 cancelled@0", "c3 cancelled@0", "c1 cleaned up@1",
                "c2 cleaned up@1", "c3 cleaned up@1",
                "close threw: task group closed without join(): cancelled 3 unfinished task(s); "
                        + "call join() before the end of the block@1");
    }

    /**
     * When the body of a try-with-resources group throws, close() still cancels and waits for the
     * children; its complaint about the missing join is attached to the body's exception.
     */
    @Test
    void closeAfterTheBodyThrew() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var e = assertThrows(ArithmeticException.class, () -> {
                try (var group = TaskGroup.open()) {
                    group.spawn(sleeper(events, "c1", seconds(1)));
                    Curio.schedule();
                    throw new ArithmeticException("body failed");
                }
            });
            events.add(at("caught " + e.getMessage() + ", suppressed "
                    + e.getSuppressed()[0].getClass().getSimpleName()));
        });
        events.assertEquals("c1 cancelled@0", "c1 cleaned up@1",
                "caught body failed, suppressed IllegalStateException@1");
    }

    /**
     * A child's failure is logged once, when the child ends, whether or not the group's results are
     * read; closing the group adds nothing.
     */
    @Test
    void childFailureIsLoggedOnceWhenItHappens() throws Exception {
        IllegalStateException unread = new IllegalStateException("unread");
        List<LogRecord> records;
        try (var log = TestSupport.LogCapture.on("org.curio.kernel")) {
            Harness.runVoid(() -> {
                try (var group = TaskGroup.open()) {
                    group.spawn(() -> {
                        throw unread;
                    });
                    group.join();
                }
                try (var group = TaskGroup.open()) {
                    group.spawn(() -> {
                        throw new IllegalStateException("read");
                    });
                    group.join();
                    assertEquals(1, group.exceptions().size());
                }
            });
            records = log.records();
        }
        assertEquals(2, records.size(), records.toString());
        assertEquals(Level.SEVERE, records.getFirst().getLevel());
        assertSame(unread, records.getFirst().getThrown());
        assertEquals("read", records.get(1).getThrown().getMessage());
    }

    /**
     * A task cancelled while joining its group waits for every child's slow cleanup before the
     * cancellation leaves it (children are cancelled at once, not one after another).
     */
    @Test
    void ownerCancelledWaitsForSlowCleanups() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> owner = Curio.spawn(() -> {
                try (var group = TaskGroup.open()) {
                    group.spawn(sleeper(events, "c1", seconds(1)));
                    group.spawn(sleeper(events, "c2", seconds(2)));
                    group.join();
                } catch (CancelledException e) {
                    events.add(at("owner left with " + e.getClass().getSimpleName()));
                    throw e;
                }
            });
            Timeouts.sleep(seconds(1));
            owner.cancel();
            events.add(at("main done"));
        });
        events.assertEquals("c1 cancelled@1", "c2 cancelled@1", "c1 cleaned up@2", "c2 cleaned up@3",
                "owner left with TaskCancelledException@3", "main done@3");
    }

    /** A task timed out while joining its group waits for every child's slow cleanup before the timeout leaves it. */
    @Test
    void ownerTimedOutWaitsForSlowCleanups() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            try {
                Timeouts.after(seconds(1), () -> {
                    try (var group = TaskGroup.open()) {
                        group.spawn(sleeper(events, "c1", seconds(1)));
                        group.spawn(sleeper(events, "c2", seconds(2)));
                        group.join();
                    }
                });
            } catch (TaskTimeoutException e) {
                events.add(at("timed out"));
            }
        });
        events.assertEquals("c1 cancelled@1", "c2 cancelled@1", "c1 cleaned up@2", "c2 cleaned up@3", "timed out@3");
    }

    /**
     * A child that spawns into its group while the group is cancelling it does not escape: the late
     * task is cancelled and awaited before join() returns, as in curio.
     */
    @Test
    void taskSpawnedWhileTheGroupCancelsDoesNotEscape() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Set<Task<?>> all = new HashSet<>();
            TaskGroup<Object> g;
            try (var group = TaskGroup.open(TaskGroup.Wait.ANY)) {
                g = group;
                group.spawn(() -> 1);
                all.add(group.spawn(() -> {
                    try {
                        Timeouts.sleep(Duration.ofHours(1));
                    } catch (CancelledException e) {
                        all.add(group.spawn(sleeper(events, "late", seconds(1))));
                        events.add(at("spawned late"));
                        throw e;
                    }
                }));
                group.join();
                events.add(at("joined"));
            }
            assertTrue(all.stream().allMatch(Task::isTerminated), all.toString());
            assertTrue(g.isJoined());
        });
        events.assertEquals("spawned late@0", "late cancelled@0", "late cleaned up@1", "joined@1");
    }

    /** A group of many children cancels them all with one shared deadline: cleanup time does not add up. */
    @Test
    void cancellingManyChildrenTakesTheLongestCleanupOnly() throws Exception {
        VirtualClock clock = VirtualClock.create();
        var events = new Harness.Events();
        Harness.run(clock, () -> {
            try (var group = TaskGroup.open(TaskGroup.Wait.NONE)) {
                for (int i = 0; i < 10; i++) {
                    group.spawn(sleeper(events, "c" + i, seconds(1)));
                }
                Curio.schedule();
                group.join();
            }
            return null;
        });
        assertEquals(seconds(1), clock.elapsed());
        assertEquals(20, events.list().size());
    }
}
