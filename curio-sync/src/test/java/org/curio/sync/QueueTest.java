package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** The task queues: curio's {@code test_queue.py} with exact event orders, plus reservation and misuse. */
class QueueTest {
    private static final int NONE = -1;

    private static void consumer(Queue<Integer> queue, String label, Steps steps, double pause)
            throws CancelledException {
        while (true) {
            int item = queue.get();
            if (item == NONE) {
                break;
            }
            steps.record(List.of(label, item));
            if (pause > 0) {
                Timeouts.sleep(seconds(pause));
            }
            queue.taskDone();
        }
        queue.taskDone();
        steps.record(label + " done");
    }

    /** Two consumers take turns; join returns once both have marked everything done. */
    @CurioTest
    void simple(Steps steps) throws Exception {
        var queue = new Queue<Integer>();
        steps.record("producer_start");
        Task<?> c1 = Curio.spawn(() -> consumer(queue, "cons1", steps, 0));
        Task<?> c2 = Curio.spawn(() -> consumer(queue, "cons2", steps, 0));
        Timeouts.sleep(seconds(0.1));
        for (int n = 0; n < 4; n++) {
            queue.put(n);
            Timeouts.sleep(seconds(0.1));
        }
        queue.put(NONE);
        queue.put(NONE);
        steps.record("producer_join");
        queue.join();
        steps.record("producer_done");
        c1.join();
        c2.join();
        steps.assertEvents("producer_start", List.of("cons1", 0), List.of("cons2", 1), List.of("cons1", 2),
                List.of("cons2", 3), "producer_join", "cons1 done", "cons2 done", "producer_done");
    }

    /** Puts to an unbounded queue never wait, and a consumer drains the queue without yielding. */
    @CurioTest
    void unbounded(Steps steps) throws Exception {
        var queue = new Queue<Integer>();
        steps.record("producer_start");
        Task<?> c1 = Curio.spawn(() -> consumer(queue, "cons1", steps, 0));
        Timeouts.sleep(seconds(0.1));
        for (int n = 0; n < 4; n++) {
            queue.put(n);
        }
        queue.put(NONE);
        steps.record("producer_join");
        queue.join();
        steps.record("producer_done");
        c1.join();
        steps.assertEvents("producer_start", "producer_join", List.of("cons1", 0), List.of("cons1", 1),
                List.of("cons1", 2), List.of("cons1", 3), "cons1 done", "producer_done");
    }

    /** Puts to a full bounded queue wait until the consumer takes an item. */
    @CurioTest
    void bounded(Steps steps) throws Exception {
        var queue = new Queue<Integer>(2);
        steps.record("producer_start");
        Task<?> c = Curio.spawn(() -> consumer(queue, "cons1", steps, 0.1));
        Timeouts.sleep(seconds(0.1));
        for (int n = 0; n < 4; n++) {
            queue.put(n);
            steps.record(List.of("produced", n));
        }
        queue.put(NONE);
        steps.record("producer_join");
        queue.join();
        steps.record("producer_done");
        c.join();
        steps.assertEvents("producer_start", List.of("produced", 0), List.of("produced", 1), List.of("cons1", 0),
                List.of("produced", 2), List.of("cons1", 1), List.of("produced", 3), List.of("cons1", 2),
                "producer_join", List.of("cons1", 3), "cons1 done", "producer_done");
    }

    /** A blocked get can be cancelled. */
    @CurioTest
    void getCancel(Steps steps) throws Exception {
        var queue = new Queue<Integer>();
        Task<?> task = Curio.spawn(() -> {
            try {
                steps.record("consumer waiting");
                queue.get();
                steps.record("not here");
            } catch (CancelledException e) {
                steps.record("consumer cancelled");
            }
        });
        Timeouts.sleep(seconds(0.5));
        task.cancel();
        assertEquals(new TaskQueue.Statistics(0, 0, 0, 0, 0), queue.statistics());
        steps.assertEvents("consumer waiting", "consumer cancelled");
    }

    /** A blocked put can be cancelled, and puts nothing. */
    @CurioTest
    void putCancel(Steps steps) throws Exception {
        var queue = new Queue<Integer>(1);
        Task<?> task = Curio.spawn(() -> {
            steps.record("producer_start");
            queue.put(0);
            try {
                queue.put(1);
                steps.record("not here");
            } catch (CancelledException e) {
                steps.record("producer_cancel");
            }
        });
        Timeouts.sleep(seconds(0.5));
        task.cancel();
        assertEquals(new TaskQueue.Statistics(1, 1, 0, 0, 1), queue.statistics());
        assertEquals(0, queue.get());
        steps.assertEvents("producer_start", "producer_cancel");
    }

    /** A blocked get respects timeouts. */
    @CurioTest
    void getTimeout(Steps steps) throws Exception {
        var queue = new Queue<Integer>();
        try {
            steps.record("consumer waiting");
            Timeouts.after(seconds(0.5), queue::get);
            steps.record("not here");
        } catch (TaskTimeoutException e) {
            steps.record("consumer timeout");
        }
        steps.assertEvents("consumer waiting", "consumer timeout");
    }

    /** A blocked put respects timeouts. */
    @CurioTest
    void putTimeout(Steps steps) throws Exception {
        var queue = new Queue<Integer>(1);
        steps.record("producer start");
        queue.put(0);
        try {
            Timeouts.after(seconds(0.5), () -> queue.put(1));
            steps.record("not here");
        } catch (TaskTimeoutException e) {
            steps.record("producer timeout");
        }
        assertEquals(1, queue.size());
        steps.assertEvents("producer start", "producer timeout");
    }

    /** size() counts the items, and toString shows it. */
    @CurioTest
    void qsize() throws Exception {
        var q = new Queue<Integer>();
        q.put(1);
        assertEquals(1, q.size());
        assertEquals("Queue[size=1, maxsize=unbounded, getters=0, putters=0]", q.toString());
    }

    /** A priority queue hands out the smallest item first. */
    @CurioTest
    void priorityQueue(Steps steps) throws Exception {
        var queue = new PriorityQueue<List<Integer>>(Comparator.comparing(l -> l.get(0)));
        for (int n : new int[] {4, 2, 1, 3}) {
            queue.put(List.of(n, n));
        }
        queue.put(List.of(10, NONE));
        Curio.spawn(() -> {
            while (true) {
                List<Integer> item = queue.get();
                if (item.get(1) == NONE) {
                    break;
                }
                steps.record(item.get(1));
                queue.taskDone();
                Timeouts.sleep(seconds(0.2));
            }
            queue.taskDone();
        });
        queue.join();
        steps.assertEvents(1, 2, 3, 4);
    }

    /** A LIFO queue hands out the newest item first. */
    @CurioTest
    void lifoQueue(Steps steps) throws Exception {
        var queue = new LifoQueue<Integer>();
        queue.put(NONE);
        for (int n = 0; n < 4; n++) {
            queue.put(n);
        }
        Curio.spawn(() -> {
            while (true) {
                int item = queue.get();
                if (item == NONE) {
                    break;
                }
                steps.record(item);
                queue.taskDone();
                Timeouts.sleep(seconds(0.2));
            }
            queue.taskDone();
        });
        queue.join();
        steps.assertEvents(3, 2, 1, 0);
    }

    /** An item put while a getter waits is reserved for it: a newcomer that runs first cannot take it. */
    @CurioTest
    void itemReservedForWaitingGetter(Steps steps) throws Exception {
        var queue = new Queue<String>();
        Task<?> waiter = Curio.spawn(() -> steps.record("waiter got " + queue.get()));
        Curio.schedule();
        Task<?> newcomer = Curio.spawn(() -> {
            steps.record("newcomer try " + queue.tryGet());
            steps.record("newcomer got " + queue.get());
        });
        queue.put("a");
        assertEquals(1, queue.size());
        waiter.join();
        queue.put("b");
        newcomer.join();
        steps.assertEvents("newcomer try Optional.empty", "waiter got a", "newcomer got b");
    }

    /** A getter woken with an item and cancelled before it runs keeps the item; the cancel hits its next wait. */
    @CurioTest
    void wokenGetterKeepsItemDespiteCancel(Steps steps) throws Exception {
        var queue = new Queue<String>();
        Task<?> getter = Curio.spawn(() -> {
            steps.record("got " + queue.get());
            try {
                Timeouts.sleep(seconds(1));
            } catch (TaskCancelledException e) {
                steps.record("cancelled at next wait");
            }
        });
        Curio.schedule();
        queue.put("x");
        getter.requestCancel();
        getter.join();
        assertTrue(queue.isEmpty());
        steps.assertEvents("got x", "cancelled at next wait");
    }

    /** A put waiting for room gets the place freed by a get even if a newcomer tries first. */
    @CurioTest
    void placeReservedForWaitingPutter(Steps steps) throws Exception {
        var queue = new Queue<String>(1);
        queue.put("a");
        Task<?> putter = Curio.spawn(() -> {
            queue.put("b");
            steps.record("putter put b");
        });
        Curio.schedule();
        Task<?> newcomer = Curio.spawn(() -> steps.record("newcomer tryPut " + queue.tryPut("c")));
        assertEquals("a", queue.get());
        assertEquals(new TaskQueue.Statistics(0, 1, 0, 0, 1), queue.statistics());
        putter.join();
        newcomer.join();
        assertEquals("b", queue.get());
        steps.assertEvents("newcomer tryPut false", "putter put b");
    }

    /** A getter whose timeout fires in the same tick as a put loses nothing: the item stays in the queue. */
    @CurioTest
    void getTimingOutInTheTickOfAPut(Steps steps) throws Exception {
        var queue = new Queue<String>();
        Task<?> putter = Curio.spawn(() -> {
            Timeouts.sleep(seconds(1));               // armed first: runs first at t=1
            queue.put("x");
            steps.record("put x");
        });
        Curio.schedule();
        Optional<String> got = Timeouts.ignoreAfter(seconds(1), queue::get);
        steps.record("get gave " + got);
        putter.join();
        steps.record("left " + queue.tryGet());
        steps.assertEvents("put x", "get gave Optional.empty", "left Optional[x]");
    }

    /** Bad use fails at the call: negative maxsize, too many taskDone, null items. */
    @CurioTest
    void misuse() throws Exception {
        var e = assertThrows(IllegalArgumentException.class, () -> new Queue<Integer>(-1));
        assertEquals("Queue maxsize must not be negative: -1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LifoQueue<Integer>(-3));
        assertThrows(IllegalArgumentException.class, () -> new PriorityQueue<Integer>(-3));
        var q = new Queue<Integer>();
        var done = assertThrows(IllegalStateException.class, q::taskDone);
        assertEquals("Queue.taskDone called more times than items were put", done.getMessage());
        assertThrows(NullPointerException.class, () -> q.put(null));
        var pq = new PriorityQueue<Object>();
        assertThrows(ClassCastException.class, () -> pq.put(new Object()));
        assertEquals(0, pq.size());
    }

    /** Using a Queue from a plain thread fails at once with a message naming the primitive. */
    @Test
    void plainThreadIsRejected() {
        var q = new Queue<Integer>();
        var outside = assertThrows(IllegalStateException.class, () -> q.put(1));
        assertTrue(outside.getMessage().startsWith("Queue.put called outside any curio task"), outside.getMessage());
        assertThrows(IllegalStateException.class, q::tryGet);
    }
}
