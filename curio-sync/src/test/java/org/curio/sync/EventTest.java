package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.sync.SyncHarness.Events;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** {@link Event}: curio's {@code TestEvent}, plus cancellation and misuse. */
class EventTest {
    /** A waiter blocks until the setter sets the event after its sleep; clear() unsets it. */
    @Test
    void getWait() throws Exception {
        var r = new Events();
        var clock = VirtualClock.create();
        SyncHarness.runVoid(clock, () -> {
            var evt = new Event();
            Task<?> t1 = Curio.spawn(() -> {
                r.add("wait_start");
                r.add(evt.isSet());
                evt.await();
                r.add("wait_done");
                r.add(evt.isSet());
                evt.clear();
                r.add(evt.isSet());
            });
            Task<?> t2 = Curio.spawn(() -> {
                r.add("sleep");
                Timeouts.sleep(seconds(1));
                r.add("event_set");
                evt.set();
            });
            t1.join();
            t2.join();
        });
        r.assertEquals("wait_start", false, "sleep", "event_set", "wait_done", true, false);
        assertEquals(seconds(1), clock.elapsed());
    }

    /** A wait on an event that is already set returns at once. */
    @Test
    void getImmediate() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var evt = new Event();
            Task<?> t1 = Curio.spawn(() -> {
                r.add("sleep");
                Timeouts.sleep(seconds(1));
                r.add("wait_start");
                evt.await();
                r.add("wait_done");
            });
            Task<?> t2 = Curio.spawn(() -> {
                r.add("event_set");
                evt.set();
            });
            t1.join();
            t2.join();
        });
        r.assertEquals("sleep", "event_set", "wait_start", "wait_done");
    }

    /** A cancelled waiter gets the cancellation and leaves the event with no waiter. */
    @Test
    void waitCancel() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var evt = new Event();
            Task<?> task = Curio.spawn(() -> {
                r.add("event_wait");
                try {
                    evt.await();
                } catch (CancelledException e) {
                    r.add("event_cancel");
                }
            });
            r.add("sleep");
            Timeouts.sleep(seconds(1));
            r.add("cancel_start");
            task.cancel();
            r.add("cancel_done");
            assertEquals(new Event.Statistics(false, 0), evt.statistics());
        });
        r.assertEquals("sleep", "event_wait", "cancel_start", "event_cancel", "cancel_done");
    }

    /** A timed-out waiter gets TaskTimeoutException at its deadline. */
    @Test
    void waitTimeout() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var evt = new Event();
            Task<?> task = Curio.spawn(() -> {
                r.add("event_wait");
                try {
                    Timeouts.after(seconds(0.5), evt::await);
                } catch (TaskTimeoutException e) {
                    r.add("event_timeout");
                }
            });
            r.add("sleep");
            Timeouts.sleep(seconds(1));
            r.add("sleep_done");
            task.join();
        });
        r.assertEquals("sleep", "event_wait", "event_timeout", "sleep_done");
    }

    /** A wait that succeeds inside a timeout block leaves no timeout behind to fire later. */
    @Test
    void waitNoTimeout() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var evt = new Event();
            Task<?> task = Curio.spawn(() -> {
                r.add("event_wait");
                try {
                    Timeouts.after(seconds(1), evt::await);
                    r.add("got event");
                } catch (TaskTimeoutException e) {
                    r.add("event_timeout");
                }
                evt.clear();
                evt.await();
                r.add("got event");
            });
            r.add("sleep");
            Timeouts.sleep(seconds(0.25));
            r.add("event_set");
            evt.set();
            Timeouts.sleep(seconds(1));
            r.add("event_set");
            evt.set();
            task.join();
        });
        r.assertEquals("sleep", "event_wait", "event_set", "got event", "event_set", "got event");
    }

    /** Waiters woken by set() resume in the order they began waiting, even if the event is cleared at once. */
    @Test
    void setWakesAllInOrderDespiteClear() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var evt = new Event();
            for (int i = 1; i <= 3; i++) {
                int id = i;
                Curio.spawn(() -> {
                    evt.await();
                    r.add("woke " + id);
                });
            }
            Curio.schedule();
            assertEquals("Event[unset, waiting=3]", evt.toString());
            evt.set();
            evt.clear();
            r.add("set and cleared");
            Timeouts.sleep(seconds(1));
            assertFalse(evt.isSet());
        });
        r.assertEquals("set and cleared", "woke 1", "woke 2", "woke 3");
    }

    /** A waiter woken by set() and cancelled before it runs returns normally; the cancel hits its next wait. */
    @Test
    void wakeBeatsRacingCancel() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var evt = new Event();
            Task<?> waiter = Curio.spawn(() -> {
                evt.await();
                r.add("woken");
                try {
                    Timeouts.sleep(seconds(1));
                } catch (TaskCancelledException e) {
                    r.add("cancelled at next wait");
                }
            });
            Curio.schedule();
            evt.set();
            waiter.requestCancel();
            waiter.join();
        });
        r.assertEquals("woken", "cancelled at next wait");
    }

    /** A pending cancellation is delivered by await() on an unset event, but not on a set one. */
    @Test
    void pendingCancelOnlyWhenBlocking() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var set = new Event();
            set.set();
            var unset = new Event();
            Task<?> t = Curio.spawn(() -> {
                Curio.currentTask().requestCancel();
                set.await();
                r.add("set event: no cancel point");
                try {
                    unset.await();
                } catch (TaskCancelledException e) {
                    r.add("unset event: cancelled");
                }
            });
            t.join();
            assertEquals(0, unset.statistics().waiting());
        });
        r.assertEquals("set event: no cancel point", "unset event: cancelled");
    }

    /** Waking a task of another kernel fails at once with a clear message, and its waiter is not stranded. */
    @Test
    void twoKernelsAreRejected() throws Exception {
        var evt = new Event();
        var waited = UniversalQueueTest.thread(() -> {
            try (org.curio.kernel.Kernel other = org.curio.kernel.Kernel.create()) {
                other.run(() -> Timeouts.ignoreAfter(seconds(2), evt::await));
            }
        });
        SyncHarness.runVoid(() -> {
            while (evt.statistics().waiting() == 0) {
                Curio.schedule();
                Thread.onSpinWait();
            }
            var e = assertThrows(IllegalStateException.class, evt::set);
            assertTrue(e.getMessage().contains("used by tasks of two kernels"), e.getMessage());
        });
        waited.get();
        assertEquals(0, evt.statistics().waiting());
    }

    /** Using an Event from a plain thread fails at once with a message naming the primitive. */
    @Test
    void plainThreadIsRejected() {
        var evt = new Event();
        var e = assertThrows(IllegalStateException.class, evt::set);
        assertTrue(e.getMessage().startsWith("Event.set called outside any curio task"), e.getMessage());
        assertThrows(IllegalStateException.class, evt::await);
        assertThrows(IllegalStateException.class, evt::clear);
        assertEquals("Event[unset, waiting=0]", evt.toString());
    }
}
