package org.curio.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.sync.Lock;
import org.curio.sync.Queue;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** Curio 1.6's test_thread.py: async threads that call kernel operations, joined and cancelled as tasks. */
class AsyncThreadTest {
    private static final Duration QUARTER = Duration.ofMillis(250);

    private static void sleep(Duration d) throws CancelledException {
        AsyncThread.await(() -> {
            Timeouts.sleep(d);
            return null;
        });
    }

    private static int simpleFunc(int x, String y) throws CancelledException {
        assertTrue(AsyncThread.isAsyncThread());
        sleep(QUARTER);
        sleep(QUARTER);
        return x + Integer.parseInt(y);
    }

    /** A thread's result is its task's result (test_good_result); its sleeps are kernel sleeps. */
    @CurioTest
    void goodResult(VirtualClock clock) throws Exception {
        Task<Integer> t = Workers.spawnThread(() -> simpleFunc(2, "3"));
        assertEquals(5, t.join());
        assertEquals(5, t.result());
        assertTrue(t.exception().isEmpty());
        assertEquals(Duration.ofMillis(500), clock.elapsed());
    }

    /** A thread's failure is its task's failure (test_bad_result). */
    @CurioTest
    void badResult() throws Exception {
        Task<Integer> t = Workers.spawnThread(() -> simpleFunc(2, "three"));
        TaskException e = assertThrows(TaskException.class, t::join);
        assertInstanceOf(NumberFormatException.class, e.getCause());
        assertInstanceOf(NumberFormatException.class, t.exception().orElseThrow());
    }

    /** Cancelling the task cancels the kernel call the thread is making (test_cancel_result). */
    @CurioTest
    void cancelResult() throws Exception {
        Task<Integer> t = Workers.spawnThread(() -> simpleFunc(2, "3"));
        Timeouts.sleep(QUARTER);
        t.cancel();
        TaskException e = assertThrows(TaskException.class, t::join);
        assertInstanceOf(TaskCancelledException.class, e.getCause());
    }

    /** An operation's failure is thrown in the thread (test_thread_bad_result). */
    @CurioTest
    void operationFailureReachesTheThread() throws Exception {
        Task<Object> t = Workers.spawnThread(() -> assertThrows(NumberFormatException.class,
                () -> AsyncThread.await(() -> Integer.parseInt("x"))));
        assertInstanceOf(NumberFormatException.class, t.join());
    }

    /** The thread may catch the cancel; the task then ends as the thread does (test_thread_cancel_result). */
    @CurioTest
    void threadCatchesTheCancel(Steps steps) throws Exception {
        Task<String> t = Workers.spawnThread(() -> {
            try {
                sleep(Duration.ofSeconds(10));
                return "slept";
            } catch (TaskCancelledException e) {
                steps.record("thread cancelled");
                return "caught";
            }
        });
        Timeouts.sleep(QUARTER);
        t.cancel();
        steps.record("cancel returned");
        assertEquals("caught", t.join());
        steps.assertEvents("thread cancelled", "cancel returned");
    }

    /** A thread takes a curio lock only when its holder releases it (test_thread_sync). */
    @CurioTest
    void threadWaitsForACurioLock(Steps steps) throws Exception {
        Lock lock = new Lock();
        Task<Void> t;
        lock.acquire();
        try {
            steps.record("main");
            t = Workers.spawnThread(() -> {
                AsyncThread.await(() -> {
                    lock.acquire();
                    return null;
                });
                steps.record("func");
                AsyncThread.await(() -> {
                    lock.release();
                    return null;
                });
                return null;
            });
            Timeouts.sleep(Duration.ofMillis(500));
            steps.record("main done");
        } finally {
            lock.release();
        }
        t.join();
        steps.assertEvents("main", "main done", "func");
    }

    /** A timeout inside the thread's kernel call is thrown in the thread (test_thread_timeout). */
    @CurioTest
    void timeoutInTheThread() throws Exception {
        Task<Object> t = Workers.spawnThread(() -> assertThrows(TaskTimeoutException.class,
                () -> AsyncThread.await(() -> Timeouts.after(Duration.ofSeconds(1), () -> {
                    Timeouts.sleep(Duration.ofSeconds(2));
                    return null;
                }))));
        assertInstanceOf(TaskTimeoutException.class, t.join());
    }

    /** A thread spawns tasks and joins them (test_task_group_thread). */
    @CurioTest
    void threadSpawnsAndJoinsTasks() throws Exception {
        Task<List<Integer>> t = Workers.spawnThread(() -> {
            Task<Integer> a = AsyncThread.await(() -> Curio.spawn(() -> 1 + 1));
            Task<Integer> b = AsyncThread.await(() -> Curio.spawn(() -> 2 + 2));
            Task<Integer> c = AsyncThread.await(() -> Curio.spawn(() -> 3 + 3));
            return List.of(AsyncThread.await(a::join), AsyncThread.await(b::join), AsyncThread.await(c::join));
        });
        assertEquals(List.of(2, 4, 6), t.join());
    }

    /** A task group accepts async threads (test_task_group_spawn_thread). */
    @CurioTest
    void taskGroupAcceptsThreads() throws Exception {
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.add(Workers.spawnThread(() -> 1 + 1));
            g.add(Workers.spawnThread(() -> 2 + 2));
            Task<Integer> t3 = Workers.spawnThread(() -> 3 + 3);
            g.add(t3);
            assertEquals(6, t3.join());
            g.join();
            assertEquals(List.of(2, 4), g.results());      // a joined task leaves the group, as in curio
        }
    }

    /** A thread gets items from a curio queue that a task fills. */
    @CurioTest
    void threadGetsFromACurioQueue(Steps steps) throws Exception {
        Queue<String> q = new Queue<>();
        Task<Void> t = Workers.spawnThread(() -> {
            for (String item = AsyncThread.await(q::get); !item.equals("end"); item = AsyncThread.await(q::get)) {
                steps.record("got " + item);
            }
            return null;
        });
        for (String s : List.of("a", "b", "end")) {
            Timeouts.sleep(QUARTER);
            steps.record("put " + s);
            q.put(s);
        }
        t.join();
        steps.assertEvents("put a", "got a", "put b", "got b", "put end");
    }

    /** A thread receives from a socket through the kernel. */
    @CurioTest
    void threadReceivesFromASocket() throws Exception {
        try (Socket.Pair pair = Socket.pair()) {
            Task<String> t = Workers.spawnThread(() -> new String(
                    AsyncThread.await(() -> pair.second().recv(100)), StandardCharsets.US_ASCII));
            Timeouts.sleep(QUARTER);
            pair.first().sendAll("hello".getBytes(StandardCharsets.US_ASCII));
            assertEquals("hello", t.join());
        }
    }

    /** A cancel that arrives while the thread does its own work is thrown by its next kernel call. */
    @CurioTest(autojumpThresholdMillis = 5)
    void cancelArrivesAtTheNextKernelCall(Steps steps) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Task<Void> t = Workers.spawnThread(() -> {
            go.await(5, TimeUnit.SECONDS);
            steps.record("thread calls the kernel");
            try {
                sleep(QUARTER);
                steps.record("not cancelled");
            } catch (TaskCancelledException e) {
                steps.record("thread cancelled");
                throw e;
            }
            return null;
        });
        Timeouts.sleep(QUARTER);
        Task<Void> canceller = Curio.spawn(() -> {
            t.cancel();
            steps.record("cancel returned");
        });
        Timeouts.sleep(QUARTER);
        steps.record("release");
        go.countDown();
        canceller.join();
        assertTrue(t.isCancelled());
        steps.assertEvents("release", "thread calls the kernel", "thread cancelled", "cancel returned");
    }

    /**
     * A cancel that reaches the task while it waits for the thread, after the thread has posted a
     * kernel call the task has not taken up yet, is thrown by that call: the call does not run, and a
     * thread that makes no further call still ends cancelled. The main task holds the kernel until
     * the thread is blocked in its call, so the call is posted before the cancel comes out of the
     * task's wait whatever the timing.
     */
    @CurioTest
    void cancelWhileACallIsPostedFailsThatCall() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Thread> thread = new AtomicReference<>();
        AtomicBoolean ran = new AtomicBoolean();
        Task<String> t = Workers.spawnThread(() -> {
            go.await(5, TimeUnit.SECONDS);
            thread.set(Thread.currentThread());
            AsyncThread.await(() -> {
                ran.set(true);
                Timeouts.sleep(QUARTER);
                return null;
            });
            return "not cancelled";
        });
        Curio.schedule();                                  // the task now waits for the thread's first call
        go.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (thread.get() == null || thread.get().getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "the thread did not block in its kernel call");
            Thread.onSpinWait();
        }
        t.cancel();
        TaskException e = assertThrows(TaskException.class, t::join);
        assertInstanceOf(TaskCancelledException.class, e.getCause());
        assertFalse(ran.get(), "the posted call ran after the cancel");
    }

    /** A plain thread gets a clear error from await. */
    @Test
    void plainThreadCannotAwait() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AsyncThread.await(() -> 1));
        assertTrue(e.getMessage().contains("Workers.spawnThread"), e.getMessage());
    }

    /** Closing the kernel leaves no async thread. */
    @Test
    void closeLeavesNoThreads() throws Exception {
        Kernel kernel = Kernel.create();
        try (kernel) {
            kernel.run(() -> {
                Workers.spawnThread(() -> {
                    sleep(Duration.ofHours(1));
                    return null;
                });
                Task<Integer> t = Workers.spawnThread(() -> 7);
                return t.join();
            });
        }
        assertEquals(new WorkerLedger(0, 0), Workers.ledger(kernel));
    }
}
