package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.curio.kernel.TestSupport.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Serial;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Tasks: spawning, joining, attributes, cancellation and task-local values. Ports the task tests of
 * curio 1.6's {@code tests/test_kernel.py} and {@code tests/test_task.py}.
 */
class TaskTest {
    /** An unchecked exception used as a custom cancellation. */
    private static final class MyException extends RuntimeException {
        @Serial private static final long serialVersionUID = 1L;

        MyException(String message) {
            super(message);
        }
    }

    // ------------------------------------------------------------------ join and attributes

    /** join() returns the task's result (test_task_join). */
    @Test
    void joinReturnsTheResult() throws Exception {
        assertEquals(37, Harness.run(() -> Curio.spawn(() -> 37).join()));
    }

    /** join() of a failed task throws TaskException whose cause is the failure (test_task_join_error). */
    @Test
    void joinOfAFailedTaskThrowsTaskException() throws Exception {
        Throwable cause = Harness.run(() -> {
            Task<Integer> t = Curio.spawn(() -> Integer.parseInt("bad"));
            var e = assertThrows(TaskException.class, t::join);
            assertSame(e.getCause(), t.exception().orElseThrow());
            return e.getCause();
        });
        assertInstanceOf(NumberFormatException.class, cause);
    }

    /** await() waits for the end of a task whatever its outcome and never throws its failure. */
    @Test
    void awaitWaitsWithoutThrowing() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> t = Curio.spawn(() -> {
                Timeouts.sleep(seconds(1));
                throw new IllegalStateException("late failure");
            });
            t.await();
            events.add(at("awaited " + t.state()));
            events.add(t.exception().map(Throwable::getMessage).orElse("none"));
            t.await();
            events.add(at("awaited again"));
        });
        events.assertEquals("awaited TERMINATED@1", "late failure", "awaited again@1");
    }

    /** A task's id, name, parent id, daemon flag, state and cycle count follow its life. */
    @Test
    void attributesFollowTheTaskLife() throws Exception {
        Harness.runVoid(() -> {
            Task<?> me = Curio.currentTask();
            assertEquals("main", me.name());
            assertEquals(OptionalLong.empty(), me.parentId());
            assertEquals("RUNNING", me.state());
            assertEquals(1, me.cycles());

            Task<String> kid = Curio.spawn("kid", () -> {
                Task<?> self = Curio.currentTask();
                Task<Integer> grandchild = Curio.spawn(() -> 1);
                assertEquals(OptionalLong.of(self.id()), grandchild.parentId());
                assertEquals("Task-" + grandchild.id(), grandchild.name());
                grandchild.join();
                Timeouts.sleep(seconds(1));
                Timeouts.sleep(seconds(1));
                return "ok";
            });
            assertTrue(kid.id() > me.id());
            assertEquals("kid", kid.name());
            assertEquals(OptionalLong.of(me.id()), kid.parentId());
            assertEquals("READY", kid.state());
            assertEquals(0, kid.cycles());
            assertFalse(kid.isDaemon());
            assertFalse(kid.isTerminated());
            assertFalse(kid.isCancelled());

            Curio.schedule();
            assertEquals(2, me.cycles());
            assertEquals("TASK_JOIN", kid.state());
            assertEquals(1, kid.cycles());

            Timeouts.sleep(seconds(0.5));
            assertEquals("TIME_SLEEP", kid.state());
            assertEquals("ok", kid.join());
            assertEquals("TERMINATED", kid.state());
            assertTrue(kid.isTerminated());
            assertEquals(4, kid.cycles());
            assertTrue(kid.toString().contains("name=kid") && kid.toString().endsWith("[TERMINATED]"),
                    kid.toString());

            Task<Void> daemon = Curio.spawnDaemon(() -> {});
            assertTrue(daemon.isDaemon());
            daemon.join();
        });
    }

    /** result() and exception() refuse a task that has not terminated, then report its outcome. */
    @Test
    void resultAndExceptionAccessors() throws Exception {
        Harness.runVoid(() -> {
            Task<Integer> t = Curio.spawn(() -> {
                Timeouts.sleep(seconds(1));
                return 5;
            });
            var early = assertThrows(IllegalStateException.class, t::result);
            assertTrue(early.getMessage().contains("not terminated"), early.getMessage());
            assertThrows(IllegalStateException.class, t::exception);
            t.join();
            assertEquals(5, t.result());
            assertEquals(Optional.empty(), t.exception());

            IllegalArgumentException nope = new IllegalArgumentException("nope");
            Task<Integer> f = Curio.spawn(() -> {
                throw nope;
            });
            f.await();
            assertSame(nope, f.exception().orElseThrow());
            assertSame(nope, assertThrows(TaskException.class, f::result).getCause());
        });
    }

    /**
     * A task's string names it and its state, and where() shows where a blocked task waits, starting
     * at the task's own code that made the blocking call, on either backend (test_task_diag).
     */
    @Test
    void diagnosticsOfABlockedTask() throws Exception {
        Harness.runVoid(() -> {
            Task<Object> t = Curio.spawn("napper", () -> {
                Timeouts.sleep(seconds(0.25));
                return null;
            });
            assertEquals(List.of(), t.where());                      // ready, not yet run
            Curio.schedule();
            assertEquals("Task(id=" + t.id() + ", name=napper)[TIME_SLEEP]", t.toString());
            List<StackTraceElement> where = t.where();
            assertFalse(where.isEmpty());
            assertTrue(where.stream().anyMatch(f -> f.getClassName().equals(TaskTest.class.getName())),
                    where.toString());
            assertEquals(TaskTest.class.getName(), where.getFirst().getClassName(), where.toString());  // user first
            assertTrue(where.getFirst().getMethodName().startsWith("lambda$diagnosticsOfABlockedTask"), where.toString());
            t.join();
            assertEquals(List.of(), t.where());
            assertEquals(List.of(), Curio.currentTask().where());   // running
        });
    }

    /**
     * Every crash is logged once, when the task ends, whether or not someone joins it (curio's "Task
     * Crash"); a task that ends with its cancellation is not.
     */
    @Test
    void everyCrashIsLoggedOnceCancellationIsNot() throws Exception {
        IllegalArgumentException kaboom = new IllegalArgumentException("kaboom");
        List<LogRecord> records;
        try (var log = TestSupport.LogCapture.on("org.curio.kernel")) {
            Harness.runVoid(() -> {
                Curio.spawn("crasher", () -> {
                    throw kaboom;
                });
                Task<Void> joined = Curio.spawn("joined", () -> {
                    throw new IllegalStateException("seen");
                });
                Task<Object> cancelled = Curio.spawn("cancelled", () -> {
                    Timeouts.sleep(seconds(5));
                    return null;
                });
                Timeouts.sleep(seconds(1));
                assertThrows(TaskException.class, joined::join);
                cancelled.cancel();
            });
            records = log.records();
        }
        assertEquals(2, records.size(), records.toString());
        LogRecord r = records.getFirst();
        assertEquals(Level.SEVERE, r.getLevel());
        assertTrue(r.getMessage().contains("name=crasher"), r.getMessage());
        assertSame(kaboom, r.getThrown());
        assertTrue(records.get(1).getMessage().contains("name=joined"), records.get(1).getMessage());
    }

    // ------------------------------------------------------------------ cancellation

    /** A sleeping task that is cancelled gets the exception at its sleep (test_sleep_cancel). */
    @Test
    void cancelASleepingTask() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> sleeper = Curio.spawn(() -> {
                events.add(at("sleeper start"));
                try {
                    Timeouts.sleep(seconds(1));
                    events.add("not here");
                } catch (CancelledException e) {
                    events.add(at("sleeper cancelled " + e.getClass().getSimpleName()));
                }
            });
            Timeouts.sleep(seconds(0.1));
            sleeper.cancel();
            events.add(at("main done " + sleeper.isCancelled()));
        });
        events.assertEquals("sleeper start@0", "sleeper cancelled TaskCancelledException@0.1", "main done true@0.1");
    }

    /**
     * Cancelling a task that has not run yet is delivered at its first blocking call, and cancel()
     * returns only once it has terminated (test_task_cancel).
     */
    @Test
    void cancelBeforeTheFirstRun() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> child = Curio.spawn(() -> {
                events.add(at("child start"));
                try {
                    Timeouts.sleep(seconds(0.5));
                } catch (CancelledException e) {
                    events.add(at("child cancelled"));
                }
            });
            child.cancel();
            events.add(at("main done " + child.isTerminated()));
        });
        events.assertEquals("child start@0", "child cancelled@0", "main done true@0");
    }

    /**
     * A task shielded from cancellation sees the pending cancel with check() and receives it when its
     * shielded region ends (test_task_cancel_poll; delivery at the region's end is this project's rule).
     */
    @Test
    void cancelPolledInsideAShield() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> child = Curio.spawn(() -> {
                try {
                    Cancellation.disable(() -> {
                        Timeouts.sleep(seconds(0.1));
                        events.add(at("success"));
                        events.add(Cancellation.check().isPresent() ? "cancelled" : "not cancelled");
                    });
                    events.add("not here");
                } catch (TaskCancelledException e) {
                    events.add(at("delivered at region end"));
                    throw e;
                }
            });
            child.cancel();
            events.add(at("done"));
            assertInstanceOf(TaskCancelledException.class, child.exception().orElseThrow());
        });
        events.assertEquals("success@0.1", "cancelled", "delivered at region end@0.1", "done@0.1");
    }

    /**
     * requestCancel() does not wait: the canceller goes on while the target cleans up, and a later join
     * reports the cancellation (test_task_cancel_not_blocking).
     */
    @Test
    void requestCancelDoesNotWait() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var e1 = new TestSupport.Event();
            var e2 = new TestSupport.Event();
            Task<Void> child = Curio.spawn(() -> {
                e1.set();
                try {
                    Timeouts.sleep(seconds(1000));
                } catch (CancelledException e) {
                    events.add(at("child cancelled"));
                    e2.await();
                    events.add(at("child cleaned up"));
                    throw e;
                }
            });
            e1.await();
            child.requestCancel();
            events.add(at("cancel requested " + child.isTerminated()));
            Timeouts.sleep(seconds(1));
            e2.set();
            var e = assertThrows(TaskException.class, child::join);
            events.add(at("join failed with " + e.getCause().getClass().getSimpleName()));
        });
        events.assertEquals("cancel requested false@0", "child cancelled@0", "child cleaned up@1",
                "join failed with TaskCancelledException@1");
    }

    /** Joining a cancelled task throws TaskException caused by the cancellation (test_task_cancel_join). */
    @Test
    void joinAfterCancel() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var never = new TestSupport.Event();
            Task<Void> child = Curio.spawn(() -> {
                never.await();
                events.add("not here");
            });
            Curio.schedule();
            child.cancel();
            var e = assertThrows(TaskException.class, child::join);
            events.add("join: " + e.getCause().getClass().getSimpleName());
        });
        events.assertEquals("join: TaskCancelledException");
    }

    /**
     * A task cancelled by another task reports the cancellation when joined, and the event it waited
     * for is untouched (test_task_cancel_join_wait).
     */
    @Test
    void cancelFromAnotherTaskThenJoin() throws Exception {
        Harness.runVoid(() -> {
            var evt = new TestSupport.Event();
            Task<Void> waiter = Curio.spawn(evt::await);
            Task<Void> canceller = Curio.spawn(() -> waiter.cancel());
            canceller.join();
            assertFalse(evt.isSet());
            var e = assertThrows(TaskException.class, waiter::join);
            assertInstanceOf(TaskCancelledException.class, e.getCause());
        });
    }

    /** Cancellation travels down a tree of tasks whose handlers cancel their children (test_task_child_cancel). */
    @Test
    void cancellationTravelsDownATree() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> grandparent = Curio.spawn(() -> {
                Task<Void> parent = Curio.spawn(() -> {
                    Task<Void> child = Curio.spawn(() -> {
                        events.add(at("start"));
                        try {
                            Timeouts.sleep(seconds(0.5));
                            events.add("end");
                        } catch (CancelledException e) {
                            events.add(at("child cancelled"));
                        }
                    });
                    try {
                        Timeouts.sleep(seconds(0.5));
                        events.add("end parent");
                    } catch (CancelledException e) {
                        child.cancel();
                        events.add(at("parent cancelled"));
                    }
                });
                try {
                    Timeouts.sleep(seconds(0.5));
                    events.add("end grandparent");
                } catch (CancelledException e) {
                    parent.cancel();
                    events.add(at("grandparent cancelled"));
                }
            });
            Timeouts.sleep(seconds(0.1));
            events.add(at("cancel start"));
            Timeouts.sleep(seconds(0.1));
            events.add(at("cancelling"));
            grandparent.cancel();
            events.add(at("done"));
        });
        events.assertEquals("start@0", "cancel start@0.1", "cancelling@0.2", "child cancelled@0.2",
                "parent cancelled@0.2", "grandparent cancelled@0.2", "done@0.2");
    }

    /**
     * A task cancelled while it sits on the ready queue finishes its current step and receives the
     * cancellation at its next blocking call (test_task_ready_cancel; the forced block of the event
     * loop is a jump of the virtual clock).
     */
    @Test
    void cancelATaskOnTheReadyQueue() throws Exception {
        VirtualClock clock = VirtualClock.create();
        var events = new Harness.Events();
        Harness.run(clock, () -> {
            Curio.spawn(() -> {
                Task<Void> child = Curio.spawn(() -> {
                    try {
                        events.add("child sleep");
                        Timeouts.sleep(seconds(1));
                        events.add("child slept");
                        Timeouts.sleep(seconds(1));
                        events.add("should not see this");
                    } catch (CancelledException e) {
                        events.add("child cancelled");
                    }
                });
                events.add("parent sleep");
                Timeouts.sleep(seconds(0.5));
                events.add("cancel start");
                child.cancel();
                events.add("cancel done");
            });
            Timeouts.sleep(seconds(0.1));
            clock.advance(Duration.ofSeconds(1));           // the loop is held up: both sleeps expire together
            Timeouts.sleep(seconds(0.1));
            return null;
        });
        events.assertEquals("parent sleep", "child sleep", "cancel start", "child slept", "child cancelled",
                "cancel done");
    }

    /**
     * A second cancel() of a task that is still cleaning up does not interrupt its cleanup; it waits for
     * the same termination (test_double_cancel).
     */
    @Test
    void secondCancelWaitsForTheSameTermination() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> sleeper = Curio.spawn(() -> {
                events.add(at("start"));
                try {
                    Timeouts.sleep(seconds(1));
                    events.add("not here");
                } catch (CancelledException e) {
                    events.add(at("cancel request"));
                    Timeouts.sleep(seconds(1));
                    events.add(at("cancelled"));
                }
            });
            Timeouts.sleep(seconds(0.5));
            try {
                Timeouts.after(seconds(1), () -> sleeper.cancel());
            } catch (TaskTimeoutException e) {
                events.add(at("retry"));
                sleeper.cancel();
                events.add(at("done cancel"));
            }
        });
        events.assertEquals("start@0", "cancel request@0.5", "retry@1.5", "cancelled@1.5", "done cancel@1.5");
    }

    /**
     * Cancelling a task also cancels its pending timeout: its cleanup can outlive the deadline of the
     * block it was in (test_task_cancel_timeout).
     */
    @Test
    void cancelDisarmsTheTaskTimeout() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> child = Curio.spawn(() -> {
                events.add(at("child"));
                try {
                    Timeouts.after(seconds(1), () -> {
                        try {
                            Timeouts.sleep(seconds(5));
                        } catch (CancelledException e) {
                            events.add(at("cancelled"));
                            Timeouts.sleep(seconds(1));
                            events.add(at("done cancel"));
                            throw e;
                        }
                    });
                } catch (TaskTimeoutException e) {
                    events.add("timeout");
                }
            });
            Timeouts.sleep(seconds(0.5));
            child.cancel();
            assertInstanceOf(TaskCancelledException.class, child.exception().orElseThrow());
        });
        events.assertEquals("child@0", "cancelled@0.5", "done cancel@1.5");
    }

    /**
     * requestCancel() followed by cancel() delivers one cancellation and waits for the end
     * (test_cancel_noblock).
     */
    @Test
    void requestCancelThenCancel() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> child = Curio.spawn(() -> {
                try {
                    Timeouts.sleep(seconds(10));
                } finally {
                    events.add(at("child exit"));
                }
            });
            child.requestCancel();
            events.add(at("requested"));
            child.cancel();
            events.add(at("cancelled " + child.isTerminated()));
        });
        events.assertEquals("requested@0", "child exit@0", "cancelled true@0");
    }

    /**
     * A task can be cancelled with an unchecked exception of the canceller's choosing, the very
     * instance given, and may handle it and return normally (test_cancel_custom_exception and
     * test_cancel_custom_exception_instance).
     */
    @Test
    void cancelWithACustomException() throws Exception {
        MyException custom = new MyException("go away");
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<String> child = Curio.spawn(() -> {
                try {
                    Timeouts.sleep(seconds(10));
                } catch (MyException e) {
                    events.add(at("child got " + e.getMessage() + " " + (e == custom)));
                    return "handled";
                }
                return "not here";
            });
            Curio.schedule();
            child.cancel(custom);
            events.add(at("result " + child.join() + " cancelled=" + child.isCancelled()));
        });
        events.assertEquals("child got go away true@0", "result handled cancelled=true@0");
    }

    /** A TaskCancelledException instance given to cancel() is the one the task receives (test_custom_cancel). */
    @Test
    void cancelWithAGivenCancelledException() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var never = new TestSupport.Event();
            TaskCancelledException reason = new TaskCancelledException("shutting down");
            Task<Void> child = Curio.spawn(() -> {
                try {
                    never.await();
                } catch (TaskCancelledException e) {
                    events.add("child got " + e.getMessage() + " " + (e == reason));
                }
            });
            Curio.schedule();
            var bad = assertThrows(IllegalArgumentException.class, () -> child.cancel(new IOException("x")));
            assertTrue(bad.getMessage().contains("java.io.IOException"), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> child.requestCancel(new IOException("y")));
            assertFalse(child.isCancelled());
            child.cancel(reason);
        });
        events.assertEquals("child got shutting down true");
    }

    /** A task that requests its own cancellation receives it at its next blocking call (test_self_cancellation). */
    @Test
    void selfCancellation() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Curio.currentTask().requestCancel();
            events.add("still running " + Curio.currentTask().isCancelled());
            try {
                Timeouts.sleep(Duration.ZERO);
                events.add("not here");
            } catch (TaskCancelledException e) {
                events.add("cancelled at sleep(0)");
            }
            Timeouts.sleep(Duration.ZERO);
            events.add("delivered once");
        });
        events.assertEquals("still running true", "cancelled at sleep(0)", "delivered once");
    }

    /** Cancelling a terminated task does nothing and does not mark it cancelled (test_late_join). */
    @Test
    void cancelAfterTerminationIsANoOp() throws Exception {
        Harness.runVoid(() -> {
            Task<String> t = Curio.spawn(() -> "fine");
            Timeouts.sleep(seconds(0.1));
            t.cancel();
            t.requestCancel();
            assertTrue(t.isTerminated());
            assertFalse(t.isCancelled());
            assertEquals("fine", t.result());
        });
    }

    // ------------------------------------------------------------------ task-local values

    /**
     * Each task has its own task-local value, so two countdowns interleave without disturbing each
     * other (test_contextvars, with TaskLocal in place of contextvars).
     */
    @Test
    void taskLocalsArePerTask() throws Exception {
        TaskLocal<Integer> x = TaskLocal.withInitial(() -> 0);
        var events = new Harness.Events();
        Harness.runVoid(() -> TaskGroup.run(TaskGroup.Wait.ALL, g -> {
            for (int n : List.of(3, 6)) {
                g.spawn(() -> {
                    x.set(n);
                    while (x.get() > 0) {
                        events.add(x.get());
                        x.set(x.get() - 1);
                        Timeouts.sleep(Duration.ZERO);
                    }
                });
            }
        }));
        events.assertEquals(3, 6, 2, 5, 1, 4, 3, 2, 1);
    }

    /** A child starts with a copy of its parent's task-local values taken at spawn; later changes stay apart. */
    @Test
    void taskLocalsAreCopiedAtSpawn() throws Exception {
        TaskLocal<String> who = TaskLocal.create();
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            events.add("main before set " + who.find());
            who.set("parent");
            Task<Void> child = Curio.spawn(() -> {
                events.add("child sees " + who.get());
                Timeouts.sleep(seconds(1));
                events.add("child still sees " + who.get());
                who.set("child");
                Curio.spawn(() -> events.add("grandchild sees " + who.get())).join();
                who.remove();
                events.add("child after remove " + who.find());
            });
            Curio.schedule();
            who.set("parent again");
            child.join();
            events.add("main sees " + who.get());
        });
        events.assertEquals("main before set Optional.empty", "child sees parent", "child still sees parent",
                "grandchild sees child", "child after remove Optional.empty", "main sees parent again");
    }
}
