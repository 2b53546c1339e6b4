package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.curio.kernel.TestSupport.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Waiting for futures that other threads complete ({@link Curio#awaitFuture}, curio's
 * {@code _future_wait}): the hand-off from a plain thread into the kernel, outcomes, and abandoning a
 * wait. Threads here are ordered with latches, never with sleeps.
 */
class FutureWaitTest {
    private static VirtualClock instantClock() {
        return VirtualClock.withAutojumpThreshold(Duration.ZERO);
    }

    /** A task blocked on a future is resumed with its value when a plain thread completes it. */
    @Test
    void futureCompletedByAnotherThread() throws Exception {
        VirtualClock clock = VirtualClock.create();
        var events = new Harness.Events();
        var blocked = new CountDownLatch(1);
        var future = new CompletableFuture<String>();
        Thread completer = Thread.ofPlatform().name("completer").start(() -> {
            try {
                blocked.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                future.completeExceptionally(e);
                return;
            }
            events.add("thread completes");
            future.complete("from thread");
        });
        try {
            String got = Harness.run(clock, () -> {
                Task<String> waiter = Curio.spawn(() -> {
                    events.add("waiting");
                    String v = Curio.awaitFuture(future);
                    events.add("got " + v);
                    return v;
                });
                Curio.schedule();
                assertEquals("FUTURE_WAIT", waiter.state());
                assertEquals(1, Curio.kernel().ledger().futureWaits());
                blocked.countDown();
                return waiter.join();
            });
            assertEquals("from thread", got);
        } finally {
            completer.join();
        }
        events.assertEquals("waiting", "thread completes", "got from thread");
        assertEquals(Duration.ZERO, clock.elapsed());
    }

    /** A future that is already done is read without suspending the task. */
    @Test
    void completedFutureDoesNotSuspend() throws Exception {
        Harness.runVoid(() -> {
            Task<?> me = Curio.currentTask();
            long cycles = me.cycles();
            assertEquals("ready", Curio.awaitFuture(CompletableFuture.completedFuture("ready")));
            assertEquals(cycles, me.cycles());
        });
    }

    /** A future that failed gives ExecutionException with its cause; a cancelled one CancellationException. */
    @Test
    void failedAndCancelledFutures() throws Exception {
        Harness.runVoid(() -> {
            IllegalStateException cause = new IllegalStateException("worker failed");
            var failed = new CompletableFuture<String>();
            var cancelled = new CompletableFuture<String>();
            Task<Void> completer = Curio.spawn(() -> {
                Curio.schedule();
                failed.completeExceptionally(cause);
                cancelled.cancel(false);
            });
            var e = assertThrows(ExecutionException.class, () -> Curio.awaitFuture(failed));
            assertSame(cause, e.getCause());
            assertThrows(CancellationException.class, () -> Curio.awaitFuture(cancelled));
            completer.join();
        });
    }

    /**
     * Cancelling a task blocked on a future leaves the future untouched, forgets the wait, and ignores
     * the future's later completion; a later wait on the same future sees its value.
     */
    @Test
    void cancelWhileWaitingLeavesTheFutureAlone() throws Exception {
        var events = new Harness.Events();
        Harness.run(instantClock(), () -> {
            var future = new CompletableFuture<String>();
            Task<String> waiter = Curio.spawn(() -> Curio.awaitFuture(future));
            Curio.schedule();
            assertEquals(1, Curio.kernel().ledger().futureWaits());
            waiter.cancel();
            events.add("waiter " + waiter.exception().map(t -> t.getClass().getSimpleName()).orElse("ok"));
            events.add("future done " + future.isDone() + ", cancelled " + future.isCancelled());
            assertEquals(0, Curio.kernel().ledger().futureWaits());
            future.complete("late");                      // its callback reaches the kernel and is ignored
            Curio.schedule();
            Task<String> second = Curio.spawn(() -> Curio.awaitFuture(future));
            events.add("second got " + second.join());
            return null;
        });
        events.assertEquals("waiter TaskCancelledException", "future done false, cancelled false", "second got late");
    }

    /**
     * A timeout while waiting for a future abandons the wait with TaskTimeoutException and leaves the
     * future untouched; a real thread completing it later disturbs nothing.
     */
    @Test
    void timeoutWhileWaitingLeavesTheFutureAlone() throws Exception {
        var events = new Harness.Events();
        var future = new CompletableFuture<String>();
        var abandoned = new CountDownLatch(1);
        Thread completer = Thread.ofPlatform().name("late completer").start(() -> {
            try {
                abandoned.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            future.complete("too late");
        });
        try {
            Harness.run(instantClock(), () -> {
                try {
                    Timeouts.after(seconds(1), () -> Curio.awaitFuture(future));
                } catch (TaskTimeoutException e) {
                    events.add(at("timed out, future done " + future.isDone()));
                }
                assertEquals(0, Curio.kernel().ledger().futureWaits());
                abandoned.countDown();
                events.add(at("later value " + Curio.awaitFuture(future)));
                return null;
            });
        } finally {
            completer.join();
        }
        events.assertEquals("timed out, future done false@1", "later value too late@1");
    }

    /** A task waiting for a future can be cancelled while the only other task sleeps on the virtual clock. */
    @Test
    void futureWaitAmongSleepers() throws Exception {
        Harness.run(instantClock(), () -> {
            var future = new CompletableFuture<Integer>();
            Task<Integer> waiter = Curio.spawn(() -> Curio.awaitFuture(future));
            Task<Void> sleeper = Curio.spawn(() -> {
                Timeouts.sleep(seconds(2));
                waiter.cancel();
            });
            sleeper.join();
            assertInstanceOf(TaskCancelledException.class, waiter.exception().orElseThrow());
            assertFalse(future.isDone());
            assertTrue(waiter.isCancelled());
            assertEquals(2_000_000_000L, Timeouts.clock());
            return null;
        });
    }
}
