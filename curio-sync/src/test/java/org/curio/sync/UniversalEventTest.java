package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.concurrent.CompletableFuture;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** {@link UniversalEvent}: curio's {@code TestUniversalEvent}, with threads in place of asyncio. */
class UniversalEventTest {
    private static void waiter(UniversalEvent evt, Steps steps) throws CancelledException {
        steps.record("wait_start");
        steps.record(evt.isSet());
        evt.await();
        steps.record("wait_done");
        steps.record(evt.isSet());
        evt.clear();
        steps.record(evt.isSet());
    }

    /** Between tasks, the universal event behaves as an Event. */
    @CurioTest
    void getWait(Steps steps) throws Exception {
        var evt = new UniversalEvent();
        Task<?> t1 = Curio.spawn(() -> waiter(evt, steps));
        Task<?> t2 = Curio.spawn(() -> {
            steps.record("sleep");
            Timeouts.sleep(seconds(1));
            steps.record("event_set");
            evt.set();
        });
        t1.join();
        t2.join();
        steps.assertEvents("wait_start", false, "sleep", "event_set", "wait_done", true, false);
    }

    /** A plain thread waits for an event a task sets. */
    @CurioTest
    void threadWaitsTaskSets(Steps steps) throws Exception {
        var evt = new UniversalEvent();
        CompletableFuture<Void> t1 = UniversalQueueTest.thread(() -> waiter(evt, steps));
        while (evt.statistics().waiting() < 1) {
            Curio.schedule();
            Thread.onSpinWait();
        }
        steps.record("sleep");
        Timeouts.sleep(seconds(1));
        steps.record("event_set");
        evt.set();
        Curio.awaitFuture(t1);
        steps.assertEvents("wait_start", false, "sleep", "event_set", "wait_done", true, false);
    }

    /** A task waits for an event a plain thread sets. */
    @CurioTest
    void taskWaitsThreadSets(Steps steps) throws Exception {
        var evt = new UniversalEvent();
        Task<?> t1 = Curio.spawn(() -> waiter(evt, steps));
        Curio.schedule();
        Curio.awaitFuture(UniversalQueueTest.thread(() -> {
            steps.record("event_set");
            evt.set();
        }));
        t1.join();
        steps.assertEvents("wait_start", false, "event_set", "wait_done", true, false);
    }

    /** A waiter whose timeout expires before the set gets TaskTimeoutException and leaves no waiter. */
    @CurioTest
    void waitTimeout(Steps steps) throws Exception {
        var evt = new UniversalEvent();
        Task<?> t1 = Curio.spawn(() -> {
            try {
                steps.record("wait_start");
                Timeouts.after(seconds(1), evt::await);
                steps.record("wait_done");
            } catch (TaskTimeoutException e) {
                steps.record("wait_timeout");
                steps.record(evt.isSet());
            }
        });
        Task<?> t2 = Curio.spawn(() -> {
            steps.record("sleep");
            Timeouts.sleep(seconds(2));
            steps.record("event_set");
            evt.set();
        });
        t1.join();
        t2.join();
        assertEquals(new UniversalEvent.Statistics(true, 0), evt.statistics());
        steps.assertEvents("wait_start", "sleep", "wait_timeout", false, "event_set");
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
