package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.curio.kernel.TestSupport.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.WaitQueue;
import org.junit.jupiter.api.Test;

/**
 * Control over cancellation delivery: pending cancellations, shielded regions (try-with-resources
 * {@link Cancellation#shield()} and functional {@link Cancellation#disable}), check() and set().
 * Ports the cancellation tests of curio 1.6's {@code tests/test_kernel.py} and
 * {@code tests/test_task.py}. Where curio leaves a held-back cancellation for the next
 * {@code check_cancellation()} or blocking call, this project delivers it at the end of the outermost
 * shielded region (RELIABILITY.md, section 3); the tests pin that rule.
 */
class CancellationTest {
    /**
     * A pending cancellation is raised by every suspending trap before it waits, immediate traps are
     * not cancellation points, and leaving a timeout block drops a pending timeout
     * (test_pending_cancellation).
     */
    @Test
    void pendingCancellationAtSuspendingTraps() throws Exception {
        Harness.runVoid(() -> {
            Cancellation.set(new TaskCancelledException());
            assertThrows(TaskCancelledException.class, () -> Traps.call(new Trap.ReadWait(() -> -1)));
            Cancellation.set(new TaskCancelledException());
            assertThrows(TaskCancelledException.class,
                    () -> Traps.call(new Trap.FutureWait(new CompletableFuture<String>())));
            Cancellation.set(new TaskCancelledException());
            assertThrows(TaskCancelledException.class,
                    () -> Traps.call(new Trap.SchedWait(WaitQueue.fifo(), "TEST_WAIT")));
            Cancellation.set(new TaskCancelledException());
            assertThrows(TaskCancelledException.class, () -> Traps.call(new Trap.Sleep(Long.MIN_VALUE)));

            TaskCancelledException pending = new TaskCancelledException();
            Cancellation.set(pending);
            Traps.call(new Trap.Clock());
            Traps.call(new Trap.GetCurrent());
            assertSame(pending, assertThrows(TaskCancelledException.class, Cancellation::check));

            Cancellation.set(new TaskTimeoutException(0));
            Traps.call(new Trap.UnsetTimeout(Trap.NO_DEADLINE));
            assertEquals(Optional.empty(), Cancellation.check());
            assertEquals(0, Curio.kernel().ledger().futureWaits());
        });
    }

    /**
     * A cancel that arrives inside a shielded region waits for the region's end and is thrown there
     * (test_defer_cancellation, try-with-resources form).
     */
    @Test
    void shieldDefersCancellationToItsEnd() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var e1 = new TestSupport.Event();
            var e2 = new TestSupport.Event();
            Task<Void> target = Curio.spawn(() -> {
                try {
                    try (var _ = Cancellation.shield()) {
                        e1.set();
                        e2.await();
                        events.add(at("region body done, allowed=" + Cancellation.isAllowed()));
                    }
                    events.add("not here");
                } catch (TaskCancelledException e) {
                    events.add(at("cancelled at region end, allowed=" + Cancellation.isAllowed()));
                }
            });
            e1.await();
            target.requestCancel();
            Timeouts.sleep(seconds(1));
            e2.set();
            target.join();
        });
        events.assertEquals("region body done, allowed=false@1", "cancelled at region end, allowed=true@1");
    }

    /**
     * The functional form delivers the held-back cancellation when the block returns
     * (test_disable_cancellation_function).
     */
    @Test
    void disableDefersCancellationToItsEnd() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var e1 = new TestSupport.Event();
            var e2 = new TestSupport.Event();
            Task<Void> target = Curio.spawn(() -> {
                try {
                    String r = Cancellation.disable(() -> {
                        e1.set();
                        e2.await();
                        return "block value";
                    });
                    events.add("not here " + r);
                } catch (TaskCancelledException e) {
                    events.add(at("cancelled at block end"));
                }
            });
            e1.await();
            target.requestCancel();
            e2.set();
            target.join();
        });
        events.assertEquals("cancelled at block end@0");
    }

    /**
     * The end of an inner shielded region keeps a pending cancellation pending; only the outermost
     * region's end delivers it, and blocking calls in between are not interrupted.
     */
    @Test
    void onlyTheOutermostRegionDelivers() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var started = new TestSupport.Event();
            Task<Void> target = Curio.spawn(() -> {
                try {
                    try (var _ = Cancellation.shield()) {
                        try (var _ = Cancellation.shield()) {
                            started.set();
                            Timeouts.sleep(seconds(1));
                            events.add(at("inner body done"));
                        }
                        events.add(at("inner region ended, pending=" + Cancellation.check().isPresent()
                                + ", allowed=" + Cancellation.isAllowed()));
                        Timeouts.sleep(seconds(1));
                        events.add(at("outer body done"));
                    }
                    events.add("not here");
                } catch (TaskCancelledException e) {
                    events.add(at("delivered at outer end"));
                }
                Timeouts.sleep(seconds(1));
                events.add(at("delivered once"));
            });
            started.await();
            target.cancel();
            events.add(at("cancel returned"));
        });
        events.assertEquals("inner body done@1", "inner region ended, pending=true, allowed=false@1",
                "outer body done@2", "delivered at outer end@2", "delivered once@3", "cancel returned@3");
    }

    /**
     * A CancelledException thrown explicitly inside a nested functional region becomes pending instead
     * of propagating, and is delivered at the end of the outermost region
     * (test_explicit_raise_cancel_disable).
     */
    @Test
    void explicitCancelInsideNestedDisableBecomesPending() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            var e1 = new TestSupport.Event();
            var e2 = new TestSupport.Event();
            Task<Void> target = Curio.spawn(() -> {
                try {
                    Cancellation.disable(() -> {
                        Cancellation.disable(() -> {
                            e1.set();
                            e2.await();
                            throw new TaskCancelledException("explicit");
                        });
                        events.add("inner block left, pending "
                                + Cancellation.check().map(Throwable::getMessage).orElse("none"));
                        events.add("still pending " + Cancellation.check().isPresent());
                    });
                    events.add("not here");
                } catch (TaskCancelledException e) {
                    events.add("delivered at outer end: " + e.getMessage());
                }
            });
            e1.await();
            target.requestCancel();
            e2.set();
            target.join();
        });
        events.assertEquals("inner block left, pending explicit", "still pending true",
                "delivered at outer end: explicit");
    }

    /**
     * A CancelledException thrown explicitly inside a single shielded region propagates out of it
     * unchanged (test_disable_cancellation_explicit_raise).
     */
    @Test
    void explicitCancelInsideASingleRegionPropagates() throws Exception {
        Harness.runVoid(() -> {
            TaskCancelledException explicit = new TaskCancelledException("explicit");
            assertSame(explicit, assertThrows(TaskCancelledException.class, () -> Cancellation.disable(() -> {
                throw explicit;
            })));
            assertTrue(Cancellation.isAllowed());
            assertEquals(Optional.empty(), Cancellation.check());
            IOException own = new IOException("own");
            assertSame(own, assertThrows(IOException.class, () -> Cancellation.disable(() -> {
                throw own;
            })));
            assertTrue(Cancellation.isAllowed());
        });
    }

    /**
     * set() installs a pending cancellation; check(type) ignores other kinds, and inside a shielded
     * region returns and clears a matching one (test_set_cancellation).
     */
    @Test
    void setAndCheck() throws Exception {
        Harness.runVoid(() -> {
            assertEquals(Optional.empty(), Cancellation.set(new TaskCancelledException()));
            assertEquals(Optional.empty(), Cancellation.check(TaskTimeoutException.class));
            assertThrows(TaskCancelledException.class, () -> Timeouts.sleep(seconds(1)));

            TaskCancelledException first = new TaskCancelledException("first");
            Cancellation.set(first);
            assertSame(first, Cancellation.set(new TaskCancelledException("second")).orElseThrow());
            try (var _ = Cancellation.shield()) {
                Optional<TaskCancelledException> found = Cancellation.check(TaskCancelledException.class);
                assertEquals("second", found.orElseThrow().getMessage());
                assertEquals(Optional.empty(), Cancellation.check());
            }
            assertEquals(0, Timeouts.clock());
        });
    }

    /** check() outside a shielded region throws and clears a pending cancellation; with none it returns empty. */
    @Test
    void checkOutsideARegion() throws Exception {
        Harness.runVoid(() -> {
            assertEquals(Optional.empty(), Cancellation.check());
            Cancellation.set(new TaskCancelledException("pending"));
            assertEquals(Optional.empty(), Cancellation.check(TaskTimeoutException.class));
            var e = assertThrows(TaskCancelledException.class, Cancellation::check);
            assertEquals("pending", e.getMessage());
            assertEquals(Optional.empty(), Cancellation.check());
            Cancellation.set(new TaskTimeoutException(7));
            assertThrows(TaskTimeoutException.class, () -> Cancellation.check(TaskTimeoutException.class));
            assertEquals(Optional.empty(), Cancellation.check());
        });
    }

    /** set() accepts only cancellations and unchecked exceptions. */
    @Test
    void setRejectsCheckedExceptions() throws Exception {
        Harness.runVoid(() -> {
            var e = assertThrows(IllegalArgumentException.class, () -> Cancellation.set(new IOException("x")));
            assertTrue(e.getMessage().contains("java.io.IOException"), e.getMessage());
            assertEquals(Optional.empty(), Cancellation.check());
        });
    }

    /**
     * A timeout that expires inside a shielded region is held back and delivered at the region's end,
     * where its block receives it as its own TaskTimeoutException.
     */
    @Test
    void timeoutInsideAShieldArrivesAtItsEnd() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            try {
                Timeouts.after(seconds(1), () -> {
                    try (var _ = Cancellation.shield()) {
                        Timeouts.sleep(seconds(2));
                        events.add(at("slept through the deadline"));
                    }
                    events.add("not here");
                });
            } catch (TaskTimeoutException e) {
                events.add(at("timeout of " + TestSupport.seconds(e.clockNanos()) + " delivered at region end"));
            }
        });
        events.assertEquals("slept through the deadline@2", "timeout of 1 delivered at region end@2");
    }

    /** Closing a shield twice delivers nothing the second time. */
    @Test
    void shieldCloseIsIdempotent() throws Exception {
        Harness.runVoid(() -> {
            var shield = Cancellation.shield();
            assertFalse(Cancellation.isAllowed());
            Cancellation.set(new TaskCancelledException());
            assertThrows(TaskCancelledException.class, shield::close);
            assertTrue(Cancellation.isAllowed());
            Cancellation.set(new TaskCancelledException("later"));
            shield.close();
            assertEquals("later", assertThrows(TaskCancelledException.class, Cancellation::check).getMessage());
        });
    }
}
