package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** {@link Event}: curio's {@code TestEvent}, plus cancellation and misuse. */
class EventTest {
    /** A waiter blocks until the setter sets the event after its sleep; clear() unsets it. */
    @CurioTest
    void getWait(Steps steps, VirtualClock clock) throws Exception {
        var evt = new Event();
        Task<?> t1 = Curio.spawn(() -> {
            steps.record("wait_start");
            steps.record(evt.isSet());
            evt.await();
            steps.record("wait_done");
            steps.record(evt.isSet());
            evt.clear();
            steps.record(evt.isSet());
        });
        Task<?> t2 = Curio.spawn(() -> {
            steps.record("sleep");
            Timeouts.sleep(seconds(1));
            steps.record("event_set");
            evt.set();
        });
        t1.join();
        t2.join();
        steps.assertEvents("wait_start", false, "sleep", "event_set", "wait_done", true, false);
        assertEquals(seconds(1), clock.elapsed());
    }

    /** A wait on an event that is already set returns at once. */
    @CurioTest
    void getImmediate(Steps steps) throws Exception {
        var evt = new Event();
        Task<?> t1 = Curio.spawn(() -> {
            steps.record("sleep");
            Timeouts.sleep(seconds(1));
            steps.record("wait_start");
            evt.await();
            steps.record("wait_done");
        });
        Task<?> t2 = Curio.spawn(() -> {
            steps.record("event_set");
            evt.set();
        });
        t1.join();
        t2.join();
        steps.assertEvents("sleep", "event_set", "wait_start", "wait_done");
    }

    /** A cancelled waiter gets the cancellation and leaves the event with no waiter. */
    @CurioTest
    void waitCancel(Steps steps) throws Exception {
        var evt = new Event();
        Task<?> task = Curio.spawn(() -> {
            steps.record("event_wait");
            try {
                evt.await();
            } catch (CancelledException e) {
                steps.record("event_cancel");
            }
        });
        steps.record("sleep");
        Timeouts.sleep(seconds(1));
        steps.record("cancel_start");
        task.cancel();
        steps.record("cancel_done");
        assertEquals(new Event.Statistics(false, 0), evt.statistics());
        steps.assertEvents("sleep", "event_wait", "cancel_start", "event_cancel", "cancel_done");
    }

    /** A timed-out waiter gets TaskTimeoutException at its deadline. */
    @CurioTest
    void waitTimeout(Steps steps) throws Exception {
        var evt = new Event();
        Task<?> task = Curio.spawn(() -> {
            steps.record("event_wait");
            try {
                Timeouts.after(seconds(0.5), evt::await);
            } catch (TaskTimeoutException e) {
                steps.record("event_timeout");
            }
        });
        steps.record("sleep");
        Timeouts.sleep(seconds(1));
        steps.record("sleep_done");
        task.join();
        steps.assertEvents("sleep", "event_wait", "event_timeout", "sleep_done");
    }

    /** A wait that succeeds inside a timeout block leaves no timeout behind to fire later. */
    @CurioTest
    void waitNoTimeout(Steps steps) throws Exception {
        var evt = new Event();
        Task<?> task = Curio.spawn(() -> {
            steps.record("event_wait");
            try {
                Timeouts.after(seconds(1), evt::await);
                steps.record("got event");
            } catch (TaskTimeoutException e) {
                steps.record("event_timeout");
            }
            evt.clear();
            evt.await();
            steps.record("got event");
        });
        steps.record("sleep");
        Timeouts.sleep(seconds(0.25));
        steps.record("event_set");
        evt.set();
        Timeouts.sleep(seconds(1));
        steps.record("event_set");
        evt.set();
        task.join();
        steps.assertEvents("sleep", "event_wait", "event_set", "got event", "event_set", "got event");
    }

    /** Waiters woken by set() resume in the order they began waiting, even if the event is cleared at once. */
    @CurioTest
    void setWakesAllInOrderDespiteClear(Steps steps) throws Exception {
        var evt = new Event();
        for (int i = 1; i <= 3; i++) {
            int id = i;
            Curio.spawn(() -> {
                evt.await();
                steps.record("woke " + id);
            });
        }
        Curio.schedule();
        assertEquals("Event[unset, waiting=3]", evt.toString());
        evt.set();
        evt.clear();
        steps.record("set and cleared");
        Timeouts.sleep(seconds(1));
        assertFalse(evt.isSet());
        steps.assertEvents("set and cleared", "woke 1", "woke 2", "woke 3");
    }

    /** A waiter woken by set() and cancelled before it runs returns normally; the cancel hits its next wait. */
    @CurioTest
    void wakeBeatsRacingCancel(Steps steps) throws Exception {
        var evt = new Event();
        Task<?> waiter = Curio.spawn(() -> {
            evt.await();
            steps.record("woken");
            try {
                Timeouts.sleep(seconds(1));
            } catch (TaskCancelledException e) {
                steps.record("cancelled at next wait");
            }
        });
        Curio.schedule();
        evt.set();
        waiter.requestCancel();
        waiter.join();
        steps.assertEvents("woken", "cancelled at next wait");
    }

    /** A pending cancellation is delivered by await() on an unset event, but not on a set one. */
    @CurioTest
    void pendingCancelOnlyWhenBlocking(Steps steps) throws Exception {
        var set = new Event();
        set.set();
        var unset = new Event();
        Task<?> t = Curio.spawn(() -> {
            Curio.currentTask().requestCancel();
            set.await();
            steps.record("set event: no cancel point");
            try {
                unset.await();
            } catch (TaskCancelledException e) {
                steps.record("unset event: cancelled");
            }
        });
        t.join();
        assertEquals(0, unset.statistics().waiting());
        steps.assertEvents("set event: no cancel point", "unset event: cancelled");
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
