package org.curio.kernel.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/**
 * One kernel of a {@code KernelGroup}: the platform thread that runs it, and the inbox through which
 * other threads start tasks on it. The kernel's main task is a host that waits for submissions and
 * spawns each as a task of its own; it ends when the group closes, and the thread then closes the
 * kernel, which cancels whatever tasks are left.
 */
public final class GroupMember {
    /*
     * Implementation notes. The inbox is a lock-free queue plus a doorbell: the host publishes a fresh
     * future, looks at the queue once more, and only then waits on the future (FutureWait); a
     * submitter adds to the queue, then takes the published future and completes it. Whichever order
     * the two interleave in, either the host sees the submission on its second look or the submitter
     * rings the bell it waits on. The kernel's own loop is not touched: the host is an ordinary task.
     */
    private final String name;
    private final ConcurrentLinkedQueue<Submission<?>> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicReference<@Nullable CompletableFuture<Void>> doorbell = new AtomicReference<>();
    private volatile boolean closing;

    /**
     * Creates the member; {@link #host()} is its kernel's main task.
     *
     * @param name the kernel's name, for task names
     */
    public GroupMember(String name) {
        this.name = name;
    }

    /**
     * A task submitted from outside: its body, and the future completed when it has ended.
     *
     * @param <T> the body's result
     */
    public static final class Submission<T> {
        private final Callable<? extends T> body;
        private final String taskName;
        private final CompletableFuture<T> outcome = new CompletableFuture<>();
        private volatile @Nullable Task<?> task;
        private volatile boolean cancelRequested;

        Submission(Callable<? extends T> body, String taskName) {
            this.body = body;
            this.taskName = taskName;
        }

        /** {@return completed with the body's result or failure once the task has ended} */
        public CompletableFuture<T> outcome() {
            return outcome;
        }

        /** Cancels the task, at once if it runs, or as soon as it starts. Any thread. */
        public void cancel() {
            cancelRequested = true;
            Task<?> t = task;
            if (t != null) {
                t.requestCancel();
            }
        }

        private void start() {
            Task<?> t = Traps.call(new Trap.Spawn<>(this::runBody, taskName, false));
            task = t;
            if (cancelRequested) {
                t.requestCancel();
            }
        }

        private @Nullable Object runBody() {
            try {
                outcome.complete(body.call());
            } catch (Throwable e) {   // the outcome carries every failure to the submitter
                outcome.completeExceptionally(e);
            }
            return null;
        }
    }

    /**
     * Queues {@code body} to start as a task of this member's kernel. Any thread.
     *
     * @param body     the task's body
     * @param taskName the task's name
     * @param <T>      its result
     * @return the submission, whose outcome completes when the task ends
     * @throws IllegalStateException if the member is closing
     */
    public <T> Submission<T> submit(Callable<? extends T> body, String taskName) {
        if (closing) {
            throw new IllegalStateException("cannot submit a task to " + name + ": its group is closing or closed");
        }
        Submission<T> s = new Submission<>(body, taskName);
        inbox.add(s);
        ring();
        return s;
    }

    /** Makes the host return once it has started every submission queued so far. Any thread. */
    public void stop() {
        closing = true;
        ring();
    }

    private void ring() {
        CompletableFuture<Void> bell = doorbell.getAndSet(null);
        if (bell != null) {
            bell.complete(null);
        }
    }

    /**
     * The kernel's main task: starts submissions until {@link #stop()}.
     *
     * @return null
     * @throws CancelledException if the kernel is shut down
     */
    public @Nullable Void host() throws CancelledException {
        while (true) {
            for (Submission<?> s; (s = inbox.poll()) != null; ) {
                s.start();
            }
            if (closing) {
                return null;
            }
            CompletableFuture<Void> bell = new CompletableFuture<>();
            doorbell.set(bell);
            if (inbox.isEmpty() && !closing) {
                Traps.call(new Trap.FutureWait(bell));
            }
        }
    }

    /** Fails the outcome of every submission that never started (the group closed first). */
    public void abandonQueued() {
        for (Submission<?> s; (s = inbox.poll()) != null; ) {
            s.outcome.completeExceptionally(new IllegalStateException(
                    "the group closed before the task started on " + name));
        }
    }
}
