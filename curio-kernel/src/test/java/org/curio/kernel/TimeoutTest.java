package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.curio.kernel.TestSupport.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.TimeoutCancellationException;
import org.curio.traps.UncaughtTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Timeouts with curio's nesting rules: the block whose own deadline expired receives
 * TaskTimeoutException, blocks inside it TimeoutCancellationException, an escaped inner timeout
 * becomes UncaughtTimeoutException, and a timeout never fires after its block has been left. Ports
 * the timeout tests of curio 1.6's {@code tests/test_kernel.py}.
 */
class TimeoutTest {
    private static void coro(Harness.Events events, String name, double sleep) throws CancelledException {
        events.add(at(name + " start"));
        Timeouts.sleep(seconds(sleep));
        events.add(at(name + " done"));
    }

    // ------------------------------------------------------------------ ports of test_kernel.py

    /** A sleep longer than its block's timeout ends with TaskTimeoutException at the deadline (test_sleep_timeout). */
    @Test
    void sleepTimesOut() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> sleeper = Curio.spawn(() -> {
                try {
                    Timeouts.after(seconds(0.1), () -> Timeouts.sleep(seconds(1)));
                    events.add("not here");
                } catch (TaskTimeoutException e) {
                    events.add(at("timeout at " + TestSupport.seconds(e.clockNanos())));
                }
            });
            sleeper.join();
        });
        events.assertEquals("timeout at 0.1@0.1");
    }

    /**
     * ignoreAfter() abandons an expired block quietly: an empty Optional, a true "expired" flag, or the
     * given timeout result (test_sleep_ignore_timeout).
     */
    @Test
    void ignoreAfterAbandonsQuietly() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Optional<String> value = Timeouts.ignoreAfter(seconds(0.1), () -> {
                Timeouts.sleep(seconds(1));
                return "slept";
            });
            events.add(at("value " + value));
            boolean expired = Timeouts.ignoreAfter(seconds(0.1), () -> Timeouts.sleep(seconds(1)));
            events.add(at("expired " + expired));
            String fallback = Timeouts.ignoreAfter(seconds(0.1), () -> {
                Timeouts.sleep(seconds(1));
                return "slept";
            }, "fallback");
            events.add(at("result " + fallback));
        });
        events.assertEquals("value Optional.empty@0.1", "expired true@0.2", "result fallback@0.3");
    }

    /** ignoreAfter() of a block that finishes in time gives its value, or false for "not expired". */
    @Test
    void ignoreAfterInTime() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            events.add(at("value " + Timeouts.ignoreAfter(seconds(1), () -> 42)));
            events.add(at("expired " + Timeouts.ignoreAfter(seconds(1), () -> Timeouts.sleep(seconds(0.5)))));
            events.add(at("result " + Timeouts.ignoreAfter(seconds(1), () -> "real", "fallback")));
            events.add(at("null value " + Timeouts.ignoreAfter(seconds(1), () -> null)));
        });
        events.assertEquals("value Optional[42]@0", "expired false@0.5", "result real@0.5",
                "null value Optional.empty@0.5");
    }

    /** A block that finishes in time leaves no timeout behind; later sleeps go past it (test_sleep_notimeout). */
    @Test
    void finishedBlockLeavesNoTimeout() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Timeouts.after(seconds(0.5), () -> Timeouts.sleep(seconds(0.1)));
            events.add(at("block done"));
            assertEquals(0, Curio.kernel().ledger().timers());
            Timeouts.sleep(seconds(0.5));
            events.add(at("slept past the old deadline"));
        });
        events.assertEquals("block done@0.1", "slept past the old deadline@0.6");
    }

    /**
     * The outer deadline expires first: the inner block sees TimeoutCancellationException, and the
     * outer block's TaskTimeoutException arrives at the next blocking call (test_nested_timeout and
     * test_nested_context_timeout).
     */
    @Test
    void outerExpiresFirst() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            try {
                Timeouts.after(seconds(0.75), () -> {
                    try {
                        Timeouts.after(seconds(5), () -> coro(events, "coro1", 1));
                        events.add("coro1 success");
                    } catch (TaskTimeoutException e) {
                        events.add("coro1 timeout");
                    } catch (TimeoutCancellationException e) {
                        events.add(at("coro1 timeout cancel"));
                    }
                    coro(events, "coro2", 1);
                    events.add("coro2 success");
                });
            } catch (TaskTimeoutException e) {
                events.add(at("parent timeout"));
            }
        });
        events.assertEquals("coro1 start@0", "coro1 timeout cancel@0.75", "coro2 start@0.75", "parent timeout@0.75");
    }

    /**
     * Three nested blocks with the outermost expiring first: both inner blocks see
     * TimeoutCancellationException and the outermost TaskTimeoutException (test_nested_context_timeout2
     * and 3).
     */
    @Test
    void outermostOfThreeExpires() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            try {
                Timeouts.after(seconds(0.1), () -> {
                    try {
                        Timeouts.after(seconds(15), () -> {
                            try {
                                Timeouts.after(seconds(10), () -> Timeouts.sleep(seconds(5)));
                            } catch (CancelledException e) {
                                events.add("coro1 " + e.getClass().getSimpleName());
                                throw e;
                            }
                        });
                    } catch (CancelledException e) {
                        events.add("coro2 " + e.getClass().getSimpleName());
                        throw e;
                    }
                });
            } catch (CancelledException e) {
                events.add(at("parent " + e.getClass().getSimpleName()));
            }
        });
        events.assertEquals("coro1 TimeoutCancellationException", "coro2 TimeoutCancellationException",
                "parent TaskTimeoutException@0.1");
    }

    /**
     * An inner timeout its own block does not handle reaches the outer block, whose deadline has not
     * expired, as UncaughtTimeoutException (test_nested_timeout_uncaught and the context form).
     */
    @Test
    void unhandledInnerTimeoutIsUncaught() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            try {
                Timeouts.after(seconds(10), () -> Timeouts.after(seconds(1), () -> coro(events, "coro1", 5)));
            } catch (TaskTimeoutException e) {
                events.add("parent timeout");
            } catch (UncaughtTimeoutException e) {
                events.add(at("uncaught timeout, cause " + e.getCause().getClass().getSimpleName()));
            }
        });
        events.assertEquals("coro1 start@0", "uncaught timeout, cause TaskTimeoutException@1");
    }

    /**
     * An inner block with a far deadline is cancelled by the outer one like any inner block
     * (test_nested_timeout_none: Java has no "no deadline" block, so a deadline a day away stands in).
     */
    @Test
    void innerBlockWithAFarDeadline() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            try {
                Timeouts.after(seconds(1), () -> {
                    Timeouts.after(Duration.ofDays(1), () -> coro(events, "coro1", 2));
                    events.add("coro1 success");
                    coro(events, "coro2", 1);
                    events.add("coro2 success");
                });
            } catch (TaskTimeoutException e) {
                events.add(at("parent timeout"));
            }
        });
        events.assertEquals("coro1 start@0", "parent timeout@1");
    }

    /**
     * A block that overruns its deadline without ever blocking completes normally and the overrun is
     * logged as a warning naming the task and where (test_timeout_badness; the held-up loop is a jump
     * of the virtual clock).
     */
    @Test
    void overrunWithoutBlockingIsLogged() throws Exception {
        VirtualClock clock = VirtualClock.create();
        List<String> messages;
        Timeouts.overrunLog().reset();
        try (var log = TestSupport.LogCapture.on("org.curio.kernel.Timeouts")) {
            String result = Harness.run(clock, () -> Timeouts.after(seconds(0.1), () -> {
                clock.advance(seconds(0.2));
                return "made it";
            }));
            assertEquals("made it", result);
            messages = log.messages();
        }
        assertEquals(1, messages.size(), messages.toString());
        assertTrue(messages.getFirst().startsWith("WARNING Task(") && messages.getFirst().contains("name=main"),
                messages.toString());
        assertTrue(messages.getFirst().contains(
                        " at org.curio.kernel.TimeoutTest.lambda$overrunWithoutBlockingIsLogged$"),
                messages.toString());
        assertTrue(messages.getFirst().endsWith("(Timeouts.after PT0.1S): overrun PT0.1S"), messages.toString());
    }

    /**
     * A sleep and its block's timeout that both expire while the loop is held up: the sleep wakes the
     * task, the timeout is dropped when the block is left, and later sleeps are not disturbed
     * (test_kernel_multischedule). The block's own wait ended before its deadline, so its late end is
     * logged at DEBUG only, where curio warns.
     */
    @Test
    void timeoutExpiringWhileReadyIsDroppedAtBlockExit() throws Exception {
        VirtualClock clock = VirtualClock.create();
        var events = new Harness.Events();
        List<String> messages;
        long[] sleeperId = new long[1];
        try (var log = TestSupport.LogCapture.on("org.curio.kernel.Timeouts")) {
            Harness.run(clock, () -> {
                Task<Boolean> sleeper = Curio.spawn(() -> {
                    Timeouts.after(seconds(0.5), () -> Timeouts.sleep(seconds(0.25)));
                    events.add(at("block done"));
                    Timeouts.sleep(seconds(0.1));
                    events.add(at("slept again"));
                    return true;
                });
                sleeperId[0] = sleeper.id();
                Timeouts.sleep(seconds(0.1));
                clock.advance(Duration.ofSeconds(1));        // past both the sleep and the timeout
                assertTrue(sleeper.join());
                return null;
            });
            messages = log.messages();
        }
        events.assertEquals("block done@1.1", "slept again@1.2");
        assertEquals(List.of("FINE Task(id=" + sleeperId[0] + ", name=Task-" + sleeperId[0] + ")[RUNNING]:"
                + " Timeouts.after PT0.5S completed PT0.6S after its deadline; its wait had ended before the deadline"
                + " came up"), messages);
    }

    // ------------------------------------------------------------------ beyond curio's tests

    /** The inner deadline expires first: the inner block handles its own TaskTimeoutException; the outer goes on. */
    @Test
    void innerExpiresFirst() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            String outcome = Timeouts.after(seconds(5), () -> {
                try {
                    Timeouts.after(seconds(1), () -> Timeouts.sleep(seconds(2)));
                } catch (TaskTimeoutException e) {
                    events.add(at("inner timeout at " + TestSupport.seconds(e.clockNanos())));
                }
                Timeouts.sleep(seconds(1));
                return "outer done";
            });
            events.add(at(outcome));
        });
        events.assertEquals("inner timeout at 1@1", "outer done@2");
    }

    /**
     * Inner and outer deadlines fall on the same instant: the outer wins, so the inner block sees
     * TimeoutCancellationException and the outer TaskTimeoutException.
     */
    @Test
    void sameInstantOuterWins() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            try {
                Timeouts.after(seconds(1), () -> {
                    try {
                        Timeouts.after(seconds(1), () -> Timeouts.sleep(seconds(5)));
                    } catch (TimeoutCancellationException e) {
                        events.add(at("inner sees TimeoutCancellationException"));
                        throw e;
                    }
                });
            } catch (TaskTimeoutException e) {
                events.add(at("outer sees TaskTimeoutException"));
            }
        });
        events.assertEquals("inner sees TimeoutCancellationException@1", "outer sees TaskTimeoutException@1");
    }

    /**
     * A deadline is inclusive: a block whose last sleep would end exactly at its deadline is timed
     * out (the block's timeout was armed before the sleep, and timers due at the same instant fire in
     * arming order).
     */
    @Test
    void blockedAtTheDeadlineTimesOut() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            try {
                Timeouts.after(seconds(1), () -> Timeouts.sleep(seconds(1)));
                events.add("completed");
            } catch (TaskTimeoutException e) {
                events.add(at("timed out"));
            }
        });
        events.assertEquals("timed out@1");
    }

    /**
     * A block that is running (not blocked) when its deadline arrives and then exits exactly at the
     * deadline completes normally, without an overrun warning and without a late timeout.
     */
    @Test
    void runningBlockExitsExactlyAtTheDeadline() throws Exception {
        VirtualClock clock = VirtualClock.create();
        var events = new Harness.Events();
        List<String> messages;
        try (var log = TestSupport.LogCapture.on("org.curio.kernel.Timeouts")) {
            Harness.run(clock, () -> {
                String r = Timeouts.after(seconds(1), () -> {
                    Timeouts.sleep(seconds(0.5));
                    clock.advance(seconds(0.5));                 // now exactly at the deadline
                    return "completed";
                });
                events.add(at(r));
                Timeouts.sleep(seconds(1));
                events.add(at("no late timeout"));
                return null;
            });
            messages = log.messages();
        }
        events.assertEquals("completed@1", "no late timeout@2");
        assertEquals(List.of(), messages);
    }

    /** A timeout never fires after its block has been left, normally or by an exception. */
    @Test
    void timeoutNeverFiresAfterTheBlockIsLeft() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Timeouts.after(seconds(1), () -> Timeouts.sleep(seconds(0.5)));
            events.add(at("left normally"));
            try {
                Timeouts.after(seconds(1), () -> {
                    Timeouts.sleep(seconds(0.5));
                    throw new IOException("failed inside");
                });
            } catch (IOException e) {
                events.add(at("left by " + e.getMessage()));
            }
            Task<Void> t = Curio.spawn(() -> {
                Timeouts.after(seconds(1), () -> Timeouts.sleep(seconds(0.5)));
                Timeouts.sleep(seconds(5));
            });
            Timeouts.sleep(seconds(3));
            events.add(at("slept past both deadlines"));
            t.join();
            events.add(at("child slept past its deadline"));
        });
        events.assertEquals("left normally@0.5", "left by failed inside@1", "slept past both deadlines@4",
                "child slept past its deadline@6.5");
    }

    /** Leaving an inner block re-arms the outer deadline, which then fires at its own time, not the inner one's. */
    @Test
    void outerDeadlineRestoredAfterInnerBlock() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            try {
                Timeouts.after(seconds(2), () -> {
                    Timeouts.after(seconds(1), () -> Timeouts.sleep(seconds(0.5)));
                    Timeouts.sleep(seconds(1));
                    events.add(at("still inside the outer block"));
                    Timeouts.sleep(seconds(1));
                });
            } catch (TaskTimeoutException e) {
                events.add(at("outer timeout"));
            }
        });
        events.assertEquals("still inside the outer block@1.5", "outer timeout@2");
    }

    /**
     * Cleanup inside an inner block after its timeout fired is not cut short by the outer deadline:
     * only the innermost deadline is armed, as in curio 1.6; the outer timeout arrives at the first
     * blocking call after the inner block is left.
     */
    @Test
    void cleanupAfterAnInnerTimeoutRunsToTheEnd() throws Exception {
        var events = new Harness.Events();
        try (var log = TestSupport.LogCapture.on("org.curio.kernel.Timeouts")) {
            Harness.runVoid(() -> {
                try {
                    Timeouts.after(seconds(10), () -> {
                        Timeouts.after(seconds(1), () -> {
                            try {
                                Timeouts.sleep(seconds(5));
                            } catch (TaskTimeoutException e) {
                                events.add(at("inner timeout"));
                                Timeouts.sleep(seconds(20));
                                events.add(at("cleanup done"));
                            }
                        });
                        events.add(at("inner block left"));
                        Timeouts.sleep(seconds(1));
                        events.add("not here");
                    });
                } catch (TaskTimeoutException e) {
                    events.add(at("outer timeout at " + TestSupport.seconds(e.clockNanos())));
                }
            });
            assertEquals(1, log.records().size());
        }
        events.assertEquals("inner timeout@1", "cleanup done@21", "inner block left@21", "outer timeout at 21@21");
    }

    /** ignoreAfter() swallows only its own timeout: an outer deadline still reaches the outer block. */
    @Test
    void ignoreAfterDoesNotSwallowAnOuterTimeout() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            try {
                Timeouts.after(seconds(1), () -> {
                    try {
                        Timeouts.ignoreAfter(seconds(5), () -> Timeouts.sleep(seconds(10)));
                        events.add("not here");
                    } catch (TimeoutCancellationException e) {
                        events.add(at("ignoreAfter passes on TimeoutCancellationException"));
                        throw e;
                    }
                });
            } catch (TaskTimeoutException e) {
                events.add(at("outer timeout"));
            }
        });
        events.assertEquals("ignoreAfter passes on TimeoutCancellationException@1", "outer timeout@1");
    }

    /** after() passes the block's own checked exception and value through unchanged. */
    @Test
    void afterIsTransparent() throws Exception {
        Harness.runVoid(() -> {
            IOException failure = new IOException("own failure");
            assertSame(failure, assertThrows(IOException.class, () -> Timeouts.after(seconds(1), () -> {
                throw failure;
            })));
            assertEquals("value", Timeouts.after(seconds(1), () -> "value"));
            assertEquals(0, Curio.kernel().ledger().timers());
        });
    }

    /** A zero or negative timeout expires at the block's first blocking call. */
    @Test
    void zeroTimeoutExpiresAtTheFirstBlockingCall() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            for (Duration d : List.of(Duration.ZERO, Duration.ofSeconds(-1))) {
                var e = assertThrows(TaskTimeoutException.class, () -> Timeouts.after(d, () -> {
                    events.add("body runs");
                    Timeouts.sleep(seconds(1));
                    events.add("not here");
                }));
                assertInstanceOf(TaskTimeoutException.class, e);
            }
            events.add(at("done"));
        });
        events.assertEquals("body runs", "body runs", "done@0");
    }

    // ------------------------------------------------------------------ messages and log volume

    /**
     * A timeout's message names the block's duration, the call that opened it and what the task was
     * blocked in; an inner block's TimeoutCancellationException names what it was blocked in; neither
     * carries a stack trace.
     */
    @Test
    void timeoutMessagesNameTheDurationAndTheBlockedOperation() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var event = new TestSupport.Event();
            try {
                Timeouts.after(seconds(5), () -> Timeouts.sleep(seconds(10)));
            } catch (TaskTimeoutException e) {
                events.add(e.getMessage());
                events.add(e.getStackTrace().length);
            }
            try {
                Timeouts.after(Duration.ofMillis(250), event::await);
            } catch (TaskTimeoutException e) {
                events.add(e.getMessage());
            }
            try {
                Timeouts.after(seconds(1), () -> {
                    try {
                        Timeouts.after(seconds(3), () -> Curio.awaitFuture(new CompletableFuture<>()));
                    } catch (TimeoutCancellationException e) {
                        events.add(e.getMessage());
                        events.add(e.getStackTrace().length);
                        throw e;
                    }
                });
            } catch (TaskTimeoutException e) {
                events.add(e.getMessage());
                events.add(e.timeout().orElseThrow());
            }
        });
        events.assertEquals(
                "timed out after PT5S (Timeouts.after) while sleeping", 0,
                "timed out after PT0.25S (Timeouts.after) while waiting in EVENT_WAIT",
                "an enclosing timeout expired at kernel clock 6250000000 ns while waiting for a future completed by"
                        + " another thread (CompletableFuture)", 0,
                "timed out after PT1S (Timeouts.after) while waiting for a future completed by another thread"
                        + " (CompletableFuture)", Duration.ofSeconds(1));
    }

    /**
     * 100,000 blocks that each run past their deadline without blocking give one warning at the
     * default level, not one per block; the rest go to DEBUG.
     */
    @Test
    void repeatedOverrunsGiveOneWarning() throws Exception {
        VirtualClock clock = VirtualClock.create();
        List<String> messages;
        Timeouts.overrunLog().reset();
        try (var log = TestSupport.LogCapture.atDefaultLevel("org.curio.kernel.Timeouts")) {
            Harness.runVoid(clock, () -> {
                for (int i = 0; i < 100_000; i++) {
                    Timeouts.after(seconds(1), () -> clock.advance(seconds(2)));
                }
            });
            messages = log.messages();
        }
        assertEquals(1, messages.size(), () -> messages.size() + " records, the first: " + messages.getFirst());
        assertTrue(messages.getFirst().startsWith("WARNING Task("), messages.getFirst());
        assertTrue(messages.getFirst().endsWith("(Timeouts.after PT1S): overrun PT1S"), messages.getFirst());
    }
}
