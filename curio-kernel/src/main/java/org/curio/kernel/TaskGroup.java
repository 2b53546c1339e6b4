package org.curio.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import org.curio.kernel.internal.KernelTask;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.WaitQueue;
import org.jspecify.annotations.Nullable;

/**
 * A set of tasks that terminate together: the group can wait for all of them, for the first, or for
 * the first non-null result, collects results and failures, and guarantees that no task outlives it.
 * Curio: {@code TaskGroup}.
 *
 * {@snippet :
 * try (TaskGroup group = TaskGroup.open()) {
 *     group.spawn(() -> fetch(a));
 *     group.spawn(() -> fetch(b));
 *     group.join();                         // waits for both (Wait.ALL)
 *     List<Object> pages = group.results();
 * }                                         // close(): cancels anything unfinished, then waits
 * }
 *
 * <p><b>Joining.</b> {@link #join()} waits according to the group's {@link Wait} policy, returns
 * early if a task fails, and then cancels every task still running (all at once) and waits for all of
 * them, daemons included. Failures are not thrown by {@code join()}: they are reported when results
 * are read ({@link #result()}, {@link #results()}, {@link #nextResult()}), as in curio. A failure
 * nobody reads is not lost: the kernel logs every crash when the task ends.
 *
 * <p><b>Two forms.</b> In try-with-resources, {@link #close()} follows JDK
 * {@code StructuredTaskScope}: it cancels whatever is unfinished and waits for it; closing a group
 * that was never joined while it still had running tasks is a mistake and throws
 * {@link IllegalStateException} after the clean-up. The functional form {@link #run(Wait, GroupBody)}
 * has curio's exit semantics: if the body throws, the remaining tasks are cancelled before the
 * exception leaves; otherwise the group is joined.
 *
 * <p><b>Cancellation.</b> {@code join}, {@code nextDone}, {@code nextResult} and
 * {@code cancelRemaining} are cancellation points. The clean-up that cancels and awaits children is
 * shielded, so a cancelled or timed-out parent still waits for every child before the exception
 * leaves it.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a group.
 */
public final class TaskGroup implements AutoCloseable {
    /*
     * Implementation notes. Children report their end on their own stack (KernelTask.runBody calls
     * taskDone) before they terminate, as curio's _task_runner does; a small FIFO semaphore of
     * "finished" permits lets join/nextDone sleep until one arrives.
     *
     * The class has no static state: a class initializer that can fail would make the class unusable
     * for the rest of the JVM, and it may first run on a task's stack. The logger is looked up when a
     * failure is logged.
     */

    /** What {@link #join()} waits for. */
    public enum Wait {
        /** Every task. */
        ALL,
        /** The first task to finish; the rest are cancelled. */
        ANY,
        /** The first task to return a non-null result; the rest are cancelled. */
        OBJECT,
        /** Nobody: every task is cancelled at once. */
        NONE
    }

    /** The body of the functional form. */
    @FunctionalInterface
    public interface GroupBody<X extends Exception> {
        /**
         * Spawns and supervises tasks in {@code group}.
         *
         * @param group the group
         * @throws X                  the body's own failure
         * @throws CancelledException if the body is cancelled
         */
        void accept(TaskGroup group) throws X, CancelledException;
    }

    private final Wait wait;
    private final Set<KernelTask<?>> running = new LinkedHashSet<>();
    private final ArrayDeque<KernelTask<?>> finished = new ArrayDeque<>();
    private final Set<KernelTask<?>> daemons = new LinkedHashSet<>();
    private final Set<KernelTask<?>> tasks = new LinkedHashSet<>();
    private final WaitQueue doneWaiters = WaitQueue.fifo();
    private int donePermits;
    private boolean joined;
    private @Nullable KernelTask<?> completed;

    private TaskGroup(Wait wait) {
        this.wait = Objects.requireNonNull(wait, "wait");
        Traps.call(new Trap.GetCurrent());               // outside any task: fail here, naming the call
    }

    /**
     * Creates an empty group that waits for all its tasks.
     *
     * @return the group
     * @throws IllegalStateException if the caller is not a curio task
     */
    public static TaskGroup open() {
        return new TaskGroup(Wait.ALL);
    }

    /**
     * Creates an empty group.
     *
     * @param wait what {@link #join()} waits for
     * @return the group
     * @throws IllegalStateException if the caller is not a curio task
     */
    public static TaskGroup open(Wait wait) {
        return new TaskGroup(wait);
    }

    /**
     * Creates a group supervising tasks that exist already. Must be called from a task of their kernel.
     *
     * @param wait     what {@link #join()} waits for
     * @param existing the tasks
     * @return the group
     * @throws IllegalStateException if a task already belongs to a group, or the caller is not a curio task
     */
    public static TaskGroup of(Wait wait, Collection<? extends Task<?>> existing) {
        TaskGroup group = new TaskGroup(wait);
        for (Task<?> t : existing) {
            group.adopt(t);
        }
        return group;
    }

    /**
     * Runs {@code body} with a new group, with curio's exit semantics: if the body throws, the
     * remaining tasks are cancelled (and awaited) before the exception leaves; otherwise the group is
     * joined. Returns the joined group, for its results.
     *
     * @param wait what the group waits for
     * @param body spawns and supervises tasks
     * @param <X>  the body's checked exception
     * @return the joined group
     * @throws X                  the body's own failure
     * @throws CancelledException if the calling task is cancelled
     */
    public static <X extends Exception> TaskGroup run(Wait wait, GroupBody<X> body) throws X, CancelledException {
        Objects.requireNonNull(body, "body");
        TaskGroup group = new TaskGroup(wait);
        try {
            body.accept(group);
        } catch (Exception | Error e) {   // curio's __aexit__ with an exception: cancel, join, rethrow
            group.cleanUp();
            throw e;
        }
        group.join();
        return group;
    }

    /**
     * Spawns a task into the group. Never suspends.
     *
     * @param body the task's body
     * @param <T>  the result type
     * @return the task
     * @throws IllegalStateException if the group has been joined
     */
    public <T> Task<T> spawn(Callable<? extends T> body) {
        return spawn(body, false);
    }

    /**
     * Spawns a task into the group. Never suspends.
     *
     * @param body the task's body
     * @return the task
     * @throws IllegalStateException if the group has been joined
     */
    public Task<Void> spawn(VoidBody<?> body) {
        return spawn(Objects.requireNonNull(body, "body").asBody()::call, false);
    }

    /**
     * Spawns a daemon task into the group: it never counts as a result or failure, and is cancelled
     * when the group is joined or closed. Never suspends.
     *
     * @param body the task's body
     * @return the task
     * @throws IllegalStateException if the group has been joined
     */
    public Task<Void> spawnDaemon(VoidBody<?> body) {
        return spawn(Objects.requireNonNull(body, "body").asBody()::call, true);
    }

    private <T> Task<T> spawn(Callable<? extends T> body, boolean daemon) {
        Objects.requireNonNull(body, "body");
        checkOpen();
        Task<T> task = Traps.call(new Trap.Spawn<T>(body, "", daemon));
        adopt(task);
        return task;
    }

    /**
     * Adds an existing task to the group. Never suspends.
     *
     * @param task the task
     * @throws IllegalStateException if the task already belongs to a group, or the group has been joined
     */
    public void add(Task<?> task) {
        checkOpen();
        adopt(task);
    }

    private void adopt(Task<?> task) {
        KernelTask<?> t = (KernelTask<?>) Objects.requireNonNull(task, "task");
        if (t.group() != null) {
            throw new IllegalStateException("task is already part of a task group: " + t);
        }
        t.group(this, this::taskDone);
        t.discardHook(this::discard);
        if (!t.isDaemon()) {
            tasks.add(t);
        }
        if (t.isTerminated()) {
            if (!t.isDaemon()) {
                finished.add(t);
                donePermits++;
            }
        } else if (t.isDaemon()) {
            daemons.add(t);
        } else {
            running.add(t);
        }
    }

    private void checkOpen() {
        if (joined) {
            throw new IllegalStateException("task group already joined");
        }
    }

    /** Called on the child's own stack when its body has ended. */
    private void taskDone(KernelTask<?> t) {
        if (t.isDaemon()) {
            daemons.remove(t);
            return;
        }
        running.remove(t);
        finished.add(t);
        if (!doneWaiters.isEmpty()) {
            Traps.call(new Trap.SchedWake(doneWaiters, 1));
        } else {
            donePermits++;
        }
    }

    private void awaitDone() throws CancelledException {
        if (donePermits > 0) {
            donePermits--;
        } else {
            Traps.call(new Trap.SchedWait(doneWaiters, "TASKGROUP_WAIT"));
        }
    }

    /** Takes a task out of the group (it was joined directly, or cancelled by cancelRemaining). */
    private void discard(KernelTask<?> t) {
        if (finished.remove(t) && donePermits > 0) {
            donePermits--;
        }
        tasks.remove(t);
        running.remove(t);
        t.group(null, null);
        t.discardHook(null);
    }

    /**
     * Suspends the calling task until the next task of the group finishes, and removes it from the
     * group.
     *
     * @return the task, or empty if no task is left
     * @throws CancelledException if the calling task is cancelled or times out while waiting
     */
    public Optional<Task<?>> nextDone() throws CancelledException {
        while (finished.isEmpty() && !running.isEmpty()) {
            awaitDone();
        }
        KernelTask<?> t = finished.pollFirst();
        if (t == null) {
            return Optional.empty();
        }
        if (donePermits > 0) {
            donePermits--;
        }
        t.await();
        t.group(null, null);
        t.discardHook(null);
        tasks.remove(t);
        return Optional.of(t);
    }

    /**
     * Suspends the calling task until the next task of the group finishes, and returns its result.
     *
     * @return the result, which may be null
     * @throws org.curio.traps.TaskException if that task failed
     * @throws IllegalStateException         if no task is left
     * @throws CancelledException            if the calling task is cancelled or times out while waiting
     */
    public @Nullable Object nextResult() throws CancelledException {
        Task<?> t = nextDone().orElseThrow(() -> new IllegalStateException("no task available"));
        return t.result();
    }

    /**
     * Cancels every running non-daemon task at once, waits for all of them, and removes them from the
     * group.
     *
     * @throws CancelledException if the calling task is cancelled while waiting
     */
    public void cancelRemaining() throws CancelledException {
        List<KernelTask<?>> victims = new ArrayList<>(running);
        for (KernelTask<?> t : victims) {
            t.requestCancel();
        }
        for (KernelTask<?> t : victims) {
            t.await();
            discard(t);
        }
    }

    /**
     * Waits for the group's tasks according to its {@link Wait} policy, returning early if one fails;
     * then cancels every task still running, daemons included, and waits for all of them.
     *
     * @throws CancelledException if the calling task is cancelled or times out while waiting; the
     *                            remaining tasks have been cancelled and awaited before it is thrown
     */
    public void join() throws CancelledException {
        try {
            if (wait == Wait.NONE) {
                return;
            }
            while (!finished.isEmpty() || !running.isEmpty()) {
                while (finished.isEmpty()) {
                    awaitDone();
                }
                while (!finished.isEmpty()) {
                    KernelTask<?> t = finished.pollFirst();
                    if (donePermits > 0) {
                        donePermits--;
                    }
                    boolean failed = t.exception().isPresent();
                    boolean hasObject = !failed && t.result() != null;
                    if (completed == null && (wait != Wait.OBJECT || failed || hasObject)) {
                        completed = t;
                    }
                    if (failed || wait == Wait.ANY || (wait == Wait.OBJECT && hasObject)) {
                        return;
                    }
                }
            }
        } finally {
            cleanUp();
        }
    }

    /** Cancels what is still running (all at once) and waits for it, shielded; marks the group joined. */
    private void cleanUp() {
        KernelTask<?> self = (KernelTask<?>) Curio.currentTask();
        boolean previous = self.allowCancel(false);
        try {
            // Discussion: a child may spawn into the group while it is being cancelled (in its cleanup
            // code); such a late task is cancelled in the next round, as curio's join() does, so no
            // task outlives the group.
            while (!running.isEmpty() || !daemons.isEmpty()) {
                List<KernelTask<?>> victims = new ArrayList<>(running);
                victims.addAll(daemons);
                for (KernelTask<?> t : victims) {
                    t.requestCancel();
                }
                for (KernelTask<?> t : victims) {
                    awaitShielded(t);
                }
                victims.forEach(running::remove);
                victims.forEach(daemons::remove);
            }
        } finally {
            self.allowCancel(previous);
            joined = true;
        }
    }

    private static void awaitShielded(KernelTask<?> t) {
        try {
            t.await();
        } catch (CancelledException e) {
            throw new IllegalStateException("cancellation delivered inside a shielded region", e);
        }
    }

    /**
     * Ends the group: cancels every unfinished task at once and waits for all of them, shielded from
     * the caller's own cancellation. A child's failure that nobody read is not lost: the kernel logs
     * every crash when the task ends.
     *
     * @throws IllegalStateException if the group was never joined and had to cancel running tasks
     */
    @Override
    public void close() {
        boolean unjoined = !joined && !running.isEmpty();
        int cancelled = running.size();
        if (!joined || !running.isEmpty() || !daemons.isEmpty()) {
            cleanUp();
        }
        if (unjoined) {
            throw new IllegalStateException("task group closed without join(): cancelled " + cancelled
                    + " unfinished task(s); call join() before the end of the block");
        }
    }

    /** {@return the tasks of the group (not daemons), in creation order} */
    public List<Task<?>> tasks() {
        List<Task<?>> list = new ArrayList<>(tasks);
        list.sort(Comparator.comparingLong(Task::id));
        return list;
    }

    /** {@return the first task that completed (for {@link Wait#OBJECT}: with a non-null result)} */
    public Optional<Task<?>> completed() {
        return Optional.ofNullable(completed);
    }

    /**
     * Returns the result of the first task that completed.
     *
     * @return the result, which may be null
     * @throws IllegalStateException         if the group has not been joined, or no task completed
     * @throws org.curio.traps.TaskException if that task failed
     */
    public @Nullable Object result() {
        checkJoined();
        if (completed == null) {
            throw new IllegalStateException("no task successfully completed");
        }
        return completed.result();
    }

    /**
     * {@return the failure of the first task that completed, if it failed}
     *
     * @throws IllegalStateException if the group has not been joined
     */
    public Optional<Throwable> exception() {
        checkJoined();
        return completed == null ? Optional.empty() : completed.exception();
    }

    /**
     * Returns the results of all tasks, in creation order.
     *
     * @return the results; an element may be null
     * @throws IllegalStateException         if the group has not been joined
     * @throws org.curio.traps.TaskException if a task failed (the first in creation order)
     */
    public List<@Nullable Object> results() {
        checkJoined();
        List<@Nullable Object> results = new ArrayList<>();
        for (Task<?> t : tasks()) {
            results.add(t.result());
        }
        return results;
    }

    /**
     * Returns the failures of all tasks, in creation order.
     *
     * @return for each task its failure, or empty
     * @throws IllegalStateException if the group has not been joined
     */
    public List<Optional<Throwable>> exceptions() {
        checkJoined();
        List<Optional<Throwable>> list = new ArrayList<>();
        for (Task<?> t : tasks()) {
            list.add(t.exception());
        }
        return list;
    }

    /** {@return whether the group has been joined (or closed)} */
    public boolean isJoined() {
        return joined;
    }

    private void checkJoined() {
        if (!joined) {
            throw new IllegalStateException("task group not yet joined");
        }
    }

    @Override
    public String toString() {
        return "TaskGroup[" + wait + ", running=" + running.size() + ", finished=" + finished.size()
                + (joined ? ", joined" : "") + "]";
    }
}
