package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;

/**
 * The behaviour every queue shares, written once and run over {@link Queue}, {@link LifoQueue},
 * {@link PriorityQueue} and {@link UniversalQueue} (used by tasks of one kernel) by the subclasses.
 */
abstract class QueueContract {
    /** {@return the kind under test} */
    abstract TestQueue.Kind kind();

    private TestQueue create(int maxsize) {
        return kind().create(maxsize);
    }

    /** Items put while nobody waits come out in the kind's order. */
    @CurioTest
    void itemsComeOutInTheKindsOrder() throws Exception {
        List<Integer> in = List.of(5, 1, 4, 2, 3);
        TestQueue q = create(0);
        for (int i : in) {
            q.put(i);
        }
        assertEquals(5, q.size());
        List<Integer> got = new ArrayList<>();
        while (!q.isEmpty()) {
            got.add(q.get());
        }
        assertEquals(kind().drainOrder(in), got);
    }

    /** A bounded queue's put waits until a get makes room, on the virtual clock. */
    @CurioTest
    void boundedPutWaitsForRoom(Steps steps, VirtualClock clock) throws Exception {
        TestQueue q = create(2);
        Task<?> producer = Curio.spawn(() -> {
            for (int i = 0; i < 3; i++) {
                q.put(i);
                steps.record("put " + i + " at " + clock.elapsed().toSeconds());
            }
        });
        Timeouts.sleep(seconds(5));
        assertTrue(q.isFull());
        assertEquals(List.of(0, 1, 2), q.waiting());     // getters, putters, unfinished
        q.get();
        producer.join();
        assertEquals(2, q.size());
        steps.assertEvents("put 0 at 0", "put 1 at 0", "put 2 at 5");
        assertEquals(seconds(5), clock.elapsed());
    }

    /** A get that times out takes nothing; the next item put is there for the next get. */
    @CurioTest
    void timedOutGetTakesNothing() throws Exception {
        TestQueue q = create(0);
        assertThrows(TaskTimeoutException.class, () -> Timeouts.after(seconds(1), q::get));
        assertEquals(List.of(0, 0, 0), q.waiting());
        q.put(7);
        assertEquals(Optional.of(7), q.tryGet());
    }

    /** A put that is cancelled while waiting for room puts nothing. */
    @CurioTest
    void cancelledPutPutsNothing(Steps steps) throws Exception {
        TestQueue q = create(1);
        q.put(1);
        Task<?> putter = Curio.spawn(() -> {
            try {
                q.put(2);
            } catch (TaskCancelledException e) {
                steps.record("put cancelled");
            }
        });
        Timeouts.sleep(seconds(1));
        putter.cancel();
        assertEquals(List.of(0, 0, 1), q.waiting());
        assertEquals(1, q.get());
        assertTrue(q.isEmpty());
        steps.assertEvents("put cancelled");
    }

    /** Getters waiting in line are woken in order; each item goes to exactly one of them. */
    @CurioTest
    void waitingGettersAreServedInOrder(Steps steps) throws Exception {
        TestQueue q = create(0);
        List<Task<?>> getters = new ArrayList<>();
        for (int g = 1; g <= 3; g++) {
            int id = g;
            getters.add(Curio.spawn(() -> steps.record("getter " + id + " got " + q.get())));
        }
        Curio.schedule();
        assertEquals(List.of(3, 0, 0), q.waiting());
        q.put(10);
        q.put(30);
        q.put(20);
        for (Task<?> t : getters) {
            t.join();
        }
        List<Integer> order = kind().drainOrder(List.of(10, 30, 20));
        steps.assertEvents("getter 1 got " + order.get(0), "getter 2 got " + order.get(1),
                "getter 3 got " + order.get(2));
    }

    /** A getter cancelled as its item arrives either got it or left it in the queue: never lost. */
    @CurioTest
    void getterCancelledAsItsItemArrivesLosesNothing() throws Exception {
        TestQueue q = create(0);
        List<Integer> got = new ArrayList<>();
        Task<?> getter = Curio.spawn(() -> {
            got.add(q.get());
            Timeouts.sleep(seconds(1));
        });
        Curio.schedule();
        q.put(42);
        getter.cancel();
        Optional<Integer> left = q.tryGet();
        assertEquals(1, got.size() + (left.isPresent() ? 1 : 0), () -> "got " + got + ", left " + left);
        assertEquals(List.of(0, 0, 1), q.waiting());
    }

    /** tryGet and tryPut never wait: they fail on an empty or a full queue. */
    @CurioTest
    void triesNeverWait() throws Exception {
        TestQueue q = create(1);
        assertEquals(Optional.empty(), q.tryGet());
        assertTrue(q.tryPut(1));
        assertFalse(q.tryPut(2));
        assertTrue(q.isFull());
        assertEquals(1, q.maxsize());
        assertEquals(Optional.of(1), q.tryGet());
    }

    /** join waits until taskDone has been called once per item put. */
    @CurioTest
    void joinWaitsForEveryTaskDone(Steps steps) throws Exception {
        TestQueue q = create(0);
        q.put(1);
        q.put(2);
        Task<?> worker = Curio.spawn(() -> {
            for (int i = 0; i < 2; i++) {
                q.get();
                Timeouts.sleep(seconds(1));
                steps.record("done " + i);
                q.taskDone();
            }
        });
        q.join();
        steps.record("joined");
        worker.join();
        assertThrows(IllegalStateException.class, q::taskDone);
        steps.assertEvents("done 0", "done 1", "joined");
    }

    /** A cancelled join leaves no joiner behind. */
    @CurioTest
    void cancelledJoin() throws Exception {
        TestQueue q = create(0);
        q.put(1);
        assertThrows(TaskTimeoutException.class, () -> Timeouts.after(seconds(1), q::join));
        q.get();
        q.taskDone();
        q.join();
    }

    /** Cancellation is delivered only when the operation must wait. */
    @CurioTest
    void pendingCancelOnlyWhenWaiting(Steps steps) throws Exception {
        TestQueue q = create(0);
        Task<?> t = Curio.spawn(() -> {
            Curio.currentTask().requestCancel();
            q.put(1);
            steps.record("got " + q.get());
            try {
                q.get();
            } catch (CancelledException e) {
                steps.record("cancelled at the waiting get");
            }
        });
        t.join();
        steps.assertEvents("got 1", "cancelled at the waiting get");
    }

    // ------------------------------------------------------------------ end of stream: close()

    /** Every getter waiting when the queue is closed wakes at once and sees the end. */
    @CurioTest
    void closeWakesEveryWaitingGetter(Steps steps, VirtualClock clock) throws Exception {
        TestQueue q = create(0);
        List<Task<?>> getters = new ArrayList<>();
        for (int g = 1; g <= 3; g++) {
            int id = g;
            getters.add(Curio.spawn(() -> {
                try {
                    steps.record("getter " + id + " got " + q.get());
                } catch (EndOfQueueException e) {
                    steps.record("getter " + id + " saw the end at " + clock.elapsed().toMillis() + " ms: "
                            + e.getMessage());
                }
            }));
        }
        Timeouts.sleep(seconds(1));
        steps.record("waiting " + q.waiting());
        q.close();
        steps.record("closed at " + clock.elapsed().toMillis() + " ms");
        Timeouts.sleep(seconds(0.001));
        steps.record("one tick later");
        for (Task<?> t : getters) {
            t.join();
        }
        String end = " saw the end at 1000 ms: " + kind().className()
                + " closed and empty: every item put before close() was taken";
        steps.assertEvents("waiting [3, 0, 0]", "closed at 1000 ms", "getter 1" + end, "getter 2" + end,
                "getter 3" + end, "one tick later");
        assertTrue(q.isClosed());
        assertEquals(List.of(0, 0, 0), q.waiting());
    }

    /** The items left when the queue is closed come out in the kind's order; then every get sees the end. */
    @CurioTest
    void itemsLeftAreDrainedThenTheEnd(Steps steps) throws Exception {
        TestQueue q = create(0);
        for (int i : List.of(5, 1, 4)) {
            q.put(i);
        }
        q.close();
        assertTrue(q.isClosed());
        assertEquals(3, q.size());
        steps.record("got " + q.get());
        steps.record("tried " + q.tryGet());
        steps.record("got " + q.get());
        for (int i = 0; i < 2; i++) {
            try {
                steps.record("got " + q.get());
            } catch (EndOfQueueException e) {
                steps.record("end");
            }
        }
        try {
            steps.record("tried " + q.tryGet());
        } catch (EndOfQueueException e) {
            steps.record("tried: end");
        }
        List<Integer> order = kind().drainOrder(List.of(5, 1, 4));
        steps.assertEvents("got " + order.get(0), "tried Optional[" + order.get(1) + "]", "got " + order.get(2),
                "end", "end", "tried: end");
        assertEquals(List.of(0, 0, 3), q.waiting());        // taskDone and join work as before
    }

    /** A put or tryPut after close fails, naming the queue, and adds nothing; closing twice is harmless. */
    @CurioTest
    void putAfterCloseFails() throws Exception {
        TestQueue q = create(0);
        q.put(1);
        q.close();
        q.close();
        var put = assertThrows(IllegalStateException.class, () -> q.put(2));
        assertEquals(kind().className() + ".put after close(): the queue is closed; its getters drain the items"
                + " left and then see EndOfQueueException", put.getMessage());
        var tryPut = assertThrows(IllegalStateException.class, () -> q.tryPut(2));
        assertTrue(tryPut.getMessage().startsWith(kind().className() + ".tryPut after close()"),
                tryPut.getMessage());
        assertEquals(1, q.size());
        assertEquals(1, q.get());
        assertThrows(EndOfQueueException.class, q::get);
    }

    /** A putter waiting for room when the queue is closed wakes and fails, putting nothing. */
    @CurioTest
    void closeFailsWaitingPutters(Steps steps, VirtualClock clock) throws Exception {
        TestQueue q = create(1);
        q.put(1);
        Task<?> putter = Curio.spawn(() -> {
            try {
                q.put(2);
                steps.record("put 2");
            } catch (IllegalStateException e) {
                steps.record("put failed at " + clock.elapsed().toSeconds() + " s");
            }
        });
        Timeouts.sleep(seconds(1));
        assertEquals(List.of(0, 1, 1), q.waiting());
        q.close();
        putter.join();
        steps.record("got " + q.get());
        assertThrows(EndOfQueueException.class, q::get);
        steps.assertEvents("put failed at 1 s", "got 1");
        assertEquals(List.of(0, 0, 1), q.waiting());
    }

    /**
     * Getters woken with an item before the close still take it; only the getters with nothing left see
     * the end. A getter whose wait timed out before the close saw its timeout, not the end.
     */
    @CurioTest
    void getterHandedAnItemBeforeTheCloseKeepsIt(Steps steps) throws Exception {
        TestQueue q = create(0);
        Task<?> impatient = Curio.spawn(() -> {
            try {
                Timeouts.after(seconds(0.5), q::get);
            } catch (TaskTimeoutException e) {
                steps.record("impatient timed out");
            }
        });
        List<Task<?>> getters = new ArrayList<>();
        for (int g = 1; g <= 2; g++) {
            int id = g;
            getters.add(Curio.spawn(() -> {
                try {
                    steps.record("getter " + id + " got " + q.get());
                } catch (EndOfQueueException e) {
                    steps.record("getter " + id + " saw the end");
                }
            }));
        }
        Timeouts.sleep(seconds(1));
        impatient.join();
        q.put(7);                                      // reserved for getter 1, which has not run yet
        q.close();
        for (Task<?> t : getters) {
            t.join();
        }
        steps.assertEvents("impatient timed out", "getter 1 got 7", "getter 2 saw the end");
    }
}
