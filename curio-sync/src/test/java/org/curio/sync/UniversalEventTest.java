package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.concurrent.CompletableFuture;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.sync.SyncHarness.Events;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** {@link UniversalEvent}: curio's {@code TestUniversalEvent}, with threads in place of asyncio. */
class UniversalEventTest {
    private static void waiter(UniversalEvent evt, Events r) throws CancelledException {
        r.add("wait_start");
        r.add(evt.isSet());
        evt.await();
        r.add("wait_done");
        r.add(evt.isSet());
        evt.clear();
        r.add(evt.isSet());
    }

    /** Between tasks, the universal event behaves as an Event. */
    @Test
    void getWait() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var evt = new UniversalEvent();
            Task<?> t1 = Curio.spawn(() -> waiter(evt, r));
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
    }

    /** A plain thread waits for an event a task sets. */
    @Test
    void threadWaitsTaskSets() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var evt = new UniversalEvent();
            CompletableFuture<Void> t1 = UniversalQueueTest.thread(() -> waiter(evt, r));
            while (evt.statistics().waiting() < 1) {
                Curio.schedule();
                Thread.onSpinWait();
            }
            r.add("sleep");
            Timeouts.sleep(seconds(1));
            r.add("event_set");
            evt.set();
            Curio.awaitFuture(t1);
        });
        r.assertEquals("wait_start", false, "sleep", "event_set", "wait_done", true, false);
    }

    /** A task waits for an event a plain thread sets. */
    @Test
    void taskWaitsThreadSets() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var evt = new UniversalEvent();
            Task<?> t1 = Curio.spawn(() -> waiter(evt, r));
            Curio.schedule();
            Curio.awaitFuture(UniversalQueueTest.thread(() -> {
                r.add("event_set");
                evt.set();
            }));
            t1.join();
        });
        r.assertEquals("wait_start", false, "event_set", "wait_done", true, false);
    }

    /** A waiter whose timeout expires before the set gets TaskTimeoutException and leaves no waiter. */
    @Test
    void waitTimeout() throws Exception {
        var r = new Events();
        SyncHarness.runVoid(() -> {
            var evt = new UniversalEvent();
            Task<?> t1 = Curio.spawn(() -> {
                try {
                    r.add("wait_start");
                    Timeouts.after(seconds(1), evt::await);
                    r.add("wait_done");
                } catch (TaskTimeoutException e) {
                    r.add("wait_timeout");
                    r.add(evt.isSet());
                }
            });
            Task<?> t2 = Curio.spawn(() -> {
                r.add("sleep");
                Timeouts.sleep(seconds(2));
                r.add("event_set");
                evt.set();
            });
            t1.join();
            t2.join();
            assertEquals(new UniversalEvent.Statistics(true, 0), evt.statistics());
        });
        r.assertEquals("wait_start", "sleep", "wait_timeout", false, "event_set");
    }

    /** An interrupted thread stops waiting with TaskCancelledException and leaves no waiter. */
    @Test
    void interruptEndsAThreadsWait() throws Exception {
        var evt = new UniversalEvent();
        var outcome = new CompletableFuture<Throwable>();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try {
                evt.await();
                outcome.complete(null);
            } catch (CancelledException e) {
                outcome.complete(e);
            }
        });
        while (evt.statistics().waiting() < 1) {
            Thread.onSpinWait();
        }
        t.interrupt();
        assertInstanceOf(TaskCancelledException.class, outcome.get());
        assertEquals("UniversalEvent[unset, waiting=0]", evt.toString());
    }
}
