package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** {@link UniversalQueue}: curio's universal-queue tests, plus the races of reserved items and interrupts. */
class UniversalQueueTest {
    private static final int NONE = -1;

    /** Starts {@code body} on a platform thread; the future completes when it ends. */
    static CompletableFuture<Void> thread(ThrowingRunnable body) {
        var done = new CompletableFuture<Void>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** A thread body that may throw. */
    interface ThrowingRunnable {
        /** Runs the body. */
        void run() throws Exception;
    }

    private static void consume(UniversalQueue<Integer> q, List<Integer> into) throws CancelledException {
        while (true) {
            int item = q.get();
            if (item == NONE) {
                break;
            }
            into.add(item);
            q.taskDone();
        }
    }

    /** {@link #consume} for a plain thread, which takes instead of getting. */
    private static void consumeOnThread(UniversalQueue<Integer> q, List<Integer> into) throws InterruptedException {
        while (true) {
            int item = q.take();
            if (item == NONE) {
                break;
            }
            into.add(item);
            q.taskDone();
        }
    }

    /** A new queue is empty and not full. */
    @Test
    void basic() {
        var q = new UniversalQueue<Integer>();
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
        assertFalse(q.isFull());
        assertEquals("UniversalQueue[size=0, maxsize=unbounded, getters=0, putters=0]", q.toString());
    }

    /** A plain thread produces and joins; a task consumes every item in order. */
    @CurioTest
    void threadProducerTaskConsumer() throws Exception {
        List<Integer> result = Collections.synchronizedList(new ArrayList<>());
        var q = new UniversalQueue<Integer>();
        Task<?> t1 = Curio.spawn(() -> consume(q, result));
        Curio.awaitFuture(thread(() -> {
            for (int i = 0; i < 10; i++) {
                q.put(i);
            }
            q.join();
        }));
        q.put(NONE);
        t1.join();
        assertEquals(IntStream.range(0, 10).boxed().toList(), result);
    }

    /** A task produces and joins; a plain thread consumes every item in order. */
    @CurioTest
    void taskProducerThreadConsumer() throws Exception {
        List<Integer> result = Collections.synchronizedList(new ArrayList<>());
        var q = new UniversalQueue<Integer>();
        CompletableFuture<Void> t1 = thread(() -> consumeOnThread(q, result));
        Task<?> t2 = Curio.spawn(() -> {
            for (int i = 0; i < 10; i++) {
                q.put(i);
                Timeouts.sleep(seconds(0.1));
            }
            q.join();
        });
        t2.join();
        q.put(NONE);
        Curio.awaitFuture(t1);
        assertEquals(IntStream.range(0, 10).boxed().toList(), result);
    }

    /** A consumer whose gets keep timing out still receives every item, in order, from a thread. */
    @CurioTest
    void consumerWithTimeoutsLosesNothing() throws Exception {
        List<Integer> result = Collections.synchronizedList(new ArrayList<>());
        var q = new UniversalQueue<Integer>(2);
        Task<?> t1 = Curio.spawn(() -> {
            while (true) {
                Optional<Integer> item = Timeouts.ignoreAfter(seconds(0.1), q::get);
                if (item.isEmpty()) {
                    continue;
                }
                if (item.get() == NONE) {
                    break;
                }
                result.add(item.get());
                q.taskDone();
            }
        });
        Curio.awaitFuture(thread(() -> {
            for (int i = 0; i < 10; i++) {
                q.put(i);
            }
            q.join();
        }));
        q.put(NONE);
        t1.join();
        assertEquals(IntStream.range(0, 10).boxed().toList(), result);
    }

    /** Three consumer tasks share a thousand items from a thread; each is received once. */
    @CurioTest
    void multipleConsumers() throws Exception {
        List<Integer> result = Collections.synchronizedList(new ArrayList<>());
        var q = new UniversalQueue<Integer>(10);
        List<Task<?>> consumers = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            consumers.add(Curio.spawn(() -> consume(q, result)));
        }
        Curio.awaitFuture(thread(() -> {
            for (int i = 0; i < 1000; i++) {
                q.put(i);
            }
            q.join();
        }));
        for (int c = 0; c < 3; c++) {
            q.put(NONE);
        }
        for (Task<?> t : consumers) {
            t.join();
        }
        assertEquals(IntStream.range(0, 1000).boxed().toList(), result.stream().sorted().toList());
    }

    /** Consumers in three kernels on three threads share a thousand items; each is received once. */
    @Test
    void multipleKernels() throws Exception {
        List<Integer> result = Collections.synchronizedList(new ArrayList<>());
        var q = new UniversalQueue<Integer>(10);
        List<CompletableFuture<Void>> kernels = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            kernels.add(thread(() -> {
                try (Kernel kernel = Kernel.create()) {
                    kernel.run(() -> consume(q, result));
                }
            }));
        }
        SyncHarness.runVoid(() -> {
            Curio.awaitFuture(thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    q.put(i);
                }
                q.join();
            }));
            for (int c = 0; c < 3; c++) {
                q.put(NONE);
            }
        });
        CompletableFuture.allOf(kernels.toArray(CompletableFuture[]::new)).get();
        assertEquals(IntStream.range(0, 1000).boxed().toList(), result.stream().sorted().toList());
    }

    /** A put to a full queue times out and puts nothing. */
    @CurioTest
    void putTimeout() throws Exception {
        var queue = new UniversalQueue<Integer>(1);
        queue.put(1);
        assertThrows(TaskTimeoutException.class, () -> Timeouts.after(seconds(0.1), () -> queue.put(2)));
        assertEquals(new UniversalQueue.Statistics(1, 1, 0, 0, 1), queue.statistics());
        assertTrue(queue.isFull());
    }

    /** A get whose item is granted in the same tick as its timeout fires loses nothing: the item stays first. */
    @CurioTest
    void getGrantedInTheTickOfItsTimeout(Steps steps) throws Exception {
        var queue = new UniversalQueue<String>();
        Task<?> putter = Curio.spawn(() -> {
            Timeouts.sleep(seconds(1));               // armed first: runs first at t=1
            queue.put("x");
            queue.put("y");
            steps.record("put x, y");
        });
        Curio.schedule();
        Optional<String> got = Timeouts.ignoreAfter(seconds(1), queue::get);
        steps.record("get gave " + got);
        putter.join();
        steps.record(queue.statistics());
        steps.record("next " + queue.get() + " then " + queue.get());
        steps.assertEvents("put x, y", "get gave Optional.empty", new UniversalQueue.Statistics(2, 0, 0, 0, 2),
                "next x then y");
    }

    /** A getter granted an item and cancelled before it resumes passes the item on to the next getter. */
    @CurioTest
    void cancelledGrantedGetterPassesItemOn(Steps steps) throws Exception {
        var queue = new UniversalQueue<String>();
        Task<?> first = Curio.spawn(() -> {
            try {
                steps.record("first got " + queue.get());
            } catch (TaskCancelledException e) {
                steps.record("first cancelled");
            }
        });
        Task<?> second = Curio.spawn(() -> steps.record("second got " + queue.get()));
        Curio.schedule();
        queue.put("x");                               // granted to first, which has not resumed yet
        first.cancel();
        second.join();
        steps.assertEvents("first cancelled", "second got x");
    }

    /** Thread and task getters are served in the order they began waiting. */
    @CurioTest
    void threadAndTaskGettersServedInOrder(Steps steps) throws Exception {
        var queue = new UniversalQueue<String>();
        CompletableFuture<Void> threadGetter = thread(() -> steps.record("thread got " + queue.take()));
        while (queue.statistics().getters() < 1) {
            Curio.schedule();
            Thread.onSpinWait();
        }
        Task<?> taskGetter = Curio.spawn(() -> steps.record("task got " + queue.get()));
        Curio.schedule();
        assertEquals(2, queue.statistics().getters());
        queue.put("a");
        Curio.awaitFuture(threadGetter);
        queue.put("b");
        taskGetter.join();
        steps.assertEvents("thread got a", "task got b");
    }

    /**
     * An interrupted thread stops taking with InterruptedException, its status cleared (as every method
     * that throws it does), taking nothing.
     */
    @Test
    void interruptEndsAThreadsWait() throws Exception {
        var queue = new UniversalQueue<String>();
        var outcome = new CompletableFuture<Throwable>();
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try {
                queue.take();
                outcome.complete(null);
            } catch (InterruptedException e) {
                outcome.complete(Thread.currentThread().isInterrupted() ? new AssertionError("still interrupted") : e);
            }
        });
        while (queue.statistics().getters() < 1) {
            Thread.onSpinWait();
        }
        t.interrupt();
        Throwable e = outcome.get();
        assertInstanceOf(InterruptedException.class, e);
        assertEquals(0, queue.statistics().getters());
        assertTrue(queue.tryPut("x"));
        assertEquals(Optional.of("x"), queue.tryGet());
    }

    /** A thread and a task waiting to get when the queue is closed both wake and see the end. */
    @CurioTest
    void closeWakesWaitingThreadsAndTasks(Steps steps) throws Exception {
        var queue = new UniversalQueue<String>();
        CompletableFuture<Void> taker = thread(() -> {
            try {
                queue.take();
            } catch (EndOfQueueException e) {
                throw new IllegalStateException("thread saw the end");   // the outcome, checked below
            }
        });
        while (queue.statistics().getters() < 1) {
            Curio.schedule();
            Thread.onSpinWait();
        }
        Task<?> getter = Curio.spawn(() -> {
            try {
                queue.get();
            } catch (EndOfQueueException e) {
                steps.record("task saw the end");
            }
        });
        Curio.schedule();
        assertEquals(2, queue.statistics().getters());
        queue.close();
        assertEquals(0, queue.statistics().getters());
        getter.join();
        try {
            Curio.awaitFuture(taker);
        } catch (java.util.concurrent.ExecutionException e) {
            steps.record(e.getCause().getMessage());
        }
        steps.assertEvents("task saw the end", "thread saw the end");
        assertEquals("UniversalQueue[size=0, maxsize=unbounded, getters=0, putters=0, closed]", queue.toString());
    }

    /** A thread takes the items left after the close, in order, then sees the end; puts fail. */
    @Test
    void threadDrainsAClosedQueue() throws Exception {
        var queue = new UniversalQueue<String>();
        queue.put("a");
        queue.put("b");
        queue.close();
        var put = assertThrows(IllegalStateException.class, () -> queue.put("c"));
        assertEquals("UniversalQueue.put after close(): the queue is closed; its getters drain the items left and"
                + " then see EndOfQueueException", put.getMessage());
        List<String> got = new ArrayList<>();
        var end = assertThrows(EndOfQueueException.class, () -> {
            while (true) {
                got.add(queue.take());
            }
        });
        assertEquals(List.of("a", "b"), got);
        assertEquals("UniversalQueue closed and empty: every item put before close() was taken", end.getMessage());
        assertThrows(EndOfQueueException.class, queue::tryGet);
    }

    /** A thread blocked putting into a full queue wakes when it is closed and fails, putting nothing. */
    @Test
    void closeFailsAWaitingThreadPutter() throws Exception {
        var queue = new UniversalQueue<String>(1);
        queue.put("a");
        CompletableFuture<Void> putter = thread(() -> queue.put("b"));
        while (queue.statistics().putters() < 1) {
            Thread.onSpinWait();
        }
        queue.close();
        var e = assertThrows(java.util.concurrent.ExecutionException.class, putter::get);
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(new UniversalQueue.Statistics(1, 1, 0, 0, 1), queue.statistics());
        assertEquals("a", queue.take());
        assertThrows(EndOfQueueException.class, queue::take);
    }

    /** get() is for tasks and take() for threads: each refuses the other caller, naming the right call. */
    @CurioTest
    void getIsForTasksAndTakeForThreads() throws Exception {
        var queue = new UniversalQueue<String>();
        queue.put("x");
        var fromTask = assertThrows(IllegalStateException.class, queue::take);
        assertEquals("UniversalQueue.take called from a curio task; take() blocks a plain thread: a task calls"
                + " get(), which suspends only the task", fromTask.getMessage());
        CompletableFuture<Void> fromThread = thread(queue::get);
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> Curio.awaitFuture(fromThread));
        assertTrue(e.getCause().getMessage().startsWith("UniversalQueue.get called from plain thread "),
                e.getCause().getMessage());
        assertTrue(e.getCause().getMessage().endsWith("; get() is for curio tasks, whose wait a cancellation ends:"
                + " a thread calls take(), whose wait an interrupt ends with InterruptedException"));
        assertEquals(1, queue.size());
    }

    /** Bad use fails at the call: negative maxsize, too many taskDone, null items. */
    @Test
    void misuse() {
        var e = assertThrows(IllegalArgumentException.class, () -> new UniversalQueue<Integer>(-1));
        assertEquals("UniversalQueue maxsize must not be negative: -1", e.getMessage());
        var q = new UniversalQueue<Integer>();
        assertThrows(IllegalStateException.class, q::taskDone);
        assertThrows(NullPointerException.class, () -> q.put(null));
        assertThrows(NullPointerException.class, () -> q.tryPut(null));
    }

    /**
     * 100,000 timed gets whose item arrives in the same kernel turn as their deadline each return
     * their item and log nothing at the default level: the item won the race, so the block did not
     * overrun by its own doing (this once logged a warning per get).
     */
    @Test
    void timedGetsWhoseItemArrivesAtTheDeadlineDoNotLog() throws Exception {
        int n = 100_000;
        VirtualClock clock = VirtualClock.create();
        var q = new UniversalQueue<Integer>();
        Logger logger = Logger.getLogger("org.curio.kernel.Timeouts");
        AtomicInteger records = new AtomicInteger();
        Handler counter = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.incrementAndGet();
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        boolean useParent = logger.getUseParentHandlers();
        logger.setUseParentHandlers(false);
        logger.addHandler(counter);
        try (Kernel kernel = Kernel.builder().clock(clock).build()) {
            kernel.run(() -> timedGetsMeetingTheirDeadline(q, n, clock));
        } finally {
            logger.removeHandler(counter);
            logger.setUseParentHandlers(useParent);
        }
        assertEquals(0, records.get());
    }

    private static void timedGetsMeetingTheirDeadline(UniversalQueue<Integer> q, int n, VirtualClock clock)
            throws CancelledException {
        Task<Long> consumer = Curio.spawn(() -> {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += Timeouts.ignoreAfter(Duration.ofSeconds(1), q::get).orElseThrow();
            }
            return sum;
        });
        for (int i = 0; i < n; i++) {
            while (q.statistics().getters() == 0) {
                Curio.schedule();
            }
            q.put(i);                                        // the getter's wake-up reaches the kernel next turn,
            clock.advance(Duration.ofSeconds(2));            // and its deadline has passed by then
        }
        assertEquals((long) n * (n - 1) / 2, consumer.join());
    }
}
