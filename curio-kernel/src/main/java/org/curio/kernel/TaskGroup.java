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

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskSlot;
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
 * try (TaskGroup<Page> group = TaskGroup.open()) {
 *     group.spawn(() -> fetch(a));
 *     group.spawn(() -> fetch(b));
 *     group.join();                         // waits for both (Wait.ALL)
 *     List<Page> pages = group.results();
 * }                                         // close(): cancels anything unfinished, then waits
 * }
 *
 * <p><b>Types.</b> A {@code TaskGroup<T>} collects results of type {@code T}, as
 * {@code StructuredTaskScope<T, R>} does: {@link #spawn(Callable)} takes any body whose result is a
 * {@code T} and returns a task typed by it, and {@link #nextResult()}, {@link #result()} and
 * {@link #results()} return {@code T}s. A body without a result ({@link #spawn(VoidBody)}) may join
 * any group: its result is null. A group of mixed results is a {@code TaskGroup<Object>}.
 *
 * <p><b>Joining.</b> {@link #join()} waits according to the group's {@link Wait} policy, returns
 * early if a task fails, and then cancels every task still running (all at once) and waits for all of
 * them, daemons included. Failures are not thrown by {@code join()}: they are reported when results
 * are read ({@link #result()}, {@link #results()}, {@link #nextResult()}), as in curio. A failure
 * nobody reads is not lost: the kernel logs every crash when the task ends.
 *
 * <p><b>Leaving the block.</b> In try-with-resources, {@link #close()} follows JDK
 * {@code StructuredTaskScope}: it cancels whatever is unfinished and waits for it. Leaving once the
 * group's wait policy is satisfied is the normal way out: after {@code join()}; with {@link Wait#ANY}
 * once {@link #nextDone()} or {@link #nextResult()} has handed out a task; with {@link Wait#OBJECT}
 * once they have handed out a non-null result (or a failure); with {@link Wait#NONE} always. The
 * rest are cancelled ("magically", in curio's words) and the block's own value or exception goes
 * through untouched:
 *
 * {@snippet :
 * try (TaskGroup<Socket> group = TaskGroup.open(TaskGroup.Wait.ANY)) {
 *     for (SocketAddress a : addresses) {
 *         group.spawn(() -> Socket.connect(a));
 *     }
 *     return group.nextResult();            // the other attempts are cancelled by close()
 * }
 * }
 *
 * <p>Leaving before the policy is satisfied while tasks still run (a {@code Wait.ALL} group never
 * joined) is a mistake: {@code close()} cancels them, waits, and then throws
 * {@link IllegalStateException} naming the call that was missing. The functional form
 * {@link #run(Wait, GroupBody)} has curio's exit semantics: if the body throws, the remaining tasks
 * are cancelled before the exception leaves; otherwise the group is joined, unless the body has
 * already satisfied the policy, in which case the rest are cancelled.
 *
 * <p><b>Cancellation.</b> {@code join}, {@code nextDone}, {@code nextResult} and
 * {@code cancelRemaining} are cancellation points. The clean-up that cancels and awaits children is
 * shielded, so a cancelled or timed-out parent still waits for every child before the exception
 * leaves it.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a group.
 *
 * @param <T> the type of the tasks' results
 */
public final class TaskGroup<T> implements AutoCloseable {
    /*
     * Implementation notes. The group talks to the kernel through traps only. A task spawned into the
     * group runs its body inside a wrapper that reports the end to the group on the child's own stack
     * (curio's task runner does the same), so finished tasks are queued in the order they ended; a
     * task adopted while running (add, of) is watched with Trap.WakeOnExit and collected when the
     * group next looks. Membership is a slot of the task (Trap.SetSlot) that the kernel drops when
     * somebody joins the task directly, which takes it out of the group as curio's Task.join does.
     *
     * The class has no static state but the slot key, whose constructor only stores its arguments: a
     * class initializer that can fail would make the class unusable for the rest of the JVM, and it
     * may first run on a task's stack.
     */
    private static final TaskSlot<TaskGroup<?>> GROUP = TaskSlot.of("TaskGroup", TaskSlot.Scope.UNTIL_JOINED);

    /** {@return the slot that holds a task's group} For the monitor, which reads it on the kernel thread. */
    static TaskSlot<?> membershipSlot() {
        return GROUP;
    }

    /**
     * {@return a label naming {@code group}, the value of a task's {@linkplain #membershipSlot() slot},
     * such as {@code group@1b2c3d/all}, or an empty string if it is not a group} For the monitor.
     *
     * @param group the slot's value, or null
     */
    static String monitorLabel(@Nullable Object group) {
        return group instanceof TaskGroup<?> g
                ? "group@" + Integer.toHexString(System.identityHashCode(g)) + "/"
                        + g.wait.name().toLowerCase(java.util.Locale.ROOT)
                : "";
    }

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

    /**
     * The body of the functional form.
     *
     * @param <T> the type of the group's results
     * @param <X> the body's own checked exception
     */
    @FunctionalInterface
    public interface GroupBody<T, X extends Exception> {
        /**
         * Spawns and supervises tasks in {@code group}.
         *
         * @param group the group
         * @throws X                  the body's own failure
         * @throws CancelledException if the body is cancelled
         */
        void accept(TaskGroup<T> group) throws X, CancelledException;
    }

    private final Wait wait;
    private final Set<Task<?>> running = new LinkedHashSet<>();
    private final Set<Task<?>> adopted = new LinkedHashSet<>();    // running tasks not spawned here
    private final ArrayDeque<Task<?>> finished = new ArrayDeque<>();
    private final Set<Task<?>> daemons = new LinkedHashSet<>();
    private final Set<Task<?>> tasks = new LinkedHashSet<>();
    private final WaitQueue doneWaiters = WaitQueue.barrier();
    private boolean joined;
    private boolean satisfied;                            // nextDone handed out what the policy waits for
    private @Nullable Task<?> completed;

    private TaskGroup(Wait wait) {
        this.wait = Objects.requireNonNull(wait, "wait");
        Traps.call(new Trap.GetCurrent());               // outside any task: fail here, naming the call
    }

    /**
     * Creates an empty group that waits for all its tasks.
     *
     * @param <T> the type of the tasks' results
     * @return the group
     * @throws IllegalStateException if the caller is not a curio task
     */
    public static <T> TaskGroup<T> open() {
        return new TaskGroup<>(Wait.ALL);
    }

    /**
     * Creates an empty group.
     *
     * @param wait what {@link #join()} waits for
     * @param <T>  the type of the tasks' results
     * @return the group
     * @throws IllegalStateException if the caller is not a curio task
     */
    public static <T> TaskGroup<T> open(Wait wait) {
        return new TaskGroup<>(wait);
    }

    /**
     * Creates a group supervising tasks that exist already. Must be called from a task of their kernel.
     *
     * @param wait     what {@link #join()} waits for
     * @param existing the tasks
     * @param <T>      the type of the tasks' results
     * @return the group
     * @throws IllegalStateException if a task already belongs to a group, or the caller is not a curio task
     */
    public static <T> TaskGroup<T> of(Wait wait, Collection<? extends Task<? extends T>> existing) {
        TaskGroup<T> group = new TaskGroup<>(wait);
        for (Task<? extends T> t : existing) {
            group.adopt(t, false);
        }
        return group;
    }

    /**
     * Runs {@code body} with a new group, with curio's exit semantics: if the body throws, the
     * remaining tasks are cancelled (and awaited) before the exception leaves; otherwise the group is
     * joined, or, if the body has satisfied the wait policy already (see {@link #close()}), the
     * remaining tasks are cancelled. Returns the joined group, for its results.
     *
     * @param wait what the group waits for
     * @param body spawns and supervises tasks
     * @param <T>  the type of the tasks' results
     * @param <X>  the body's checked exception
     * @return the joined group
     * @throws X                  the body's own failure
     * @throws CancelledException if the calling task is cancelled
     */
    public static <T, X extends Exception> TaskGroup<T> run(Wait wait, GroupBody<T, X> body)
            throws X, CancelledException {
        Objects.requireNonNull(body, "body");
        TaskGroup<T> group = new TaskGroup<>(wait);
        try {
            body.accept(group);
        } catch (Exception | Error e) {   // curio's __aexit__ with an exception: cancel, join, rethrow
            group.cleanUp();
            throw e;
        }
        if (group.satisfied) {
            group.cleanUp();
        } else {
            group.join();
        }
        return group;
    }

    /**
     * Spawns a task into the group. Never suspends.
     *
     * @param body the task's body
     * @param <U>  the task's result type, a {@code T}
     * @return the task
     * @throws IllegalStateException if the group has been joined
     */
    public <U extends T> Task<U> spawn(Callable<U> body) {
        return spawn("", body, false);
    }

    /**
     * Spawns a named task into the group. Never suspends.
     *
     * @param name the task's name
     * @param body the task's body
     * @param <U>  the task's result type, a {@code T}
     * @return the task
     * @throws IllegalStateException if the group has been joined
     */
    public <U extends T> Task<U> spawn(String name, Callable<U> body) {
        return spawn(name, body, false);
    }

    /**
     * Spawns a task without a result into the group; its result counts as null. Never suspends.
     *
     * @param body the task's body
     * @return the task
     * @throws IllegalStateException if the group has been joined
     */
    public Task<Void> spawn(VoidBody<?> body) {
        return spawn("", Objects.requireNonNull(body, "body").asBody()::call, false);
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
        return spawn("", Objects.requireNonNull(body, "body").asBody()::call, true);
    }

    /**
     * Spawns a daemon task with a result into the group: like {@link #spawnDaemon(VoidBody)}, it is
     * never one of the group's results and is cancelled when the group is joined or closed; whoever
     * holds it may read its result once it has ended. Never suspends.
     *
     * @param body the task's body
     * @param <U>  the task's result type (any: a daemon's result is not the group's)
     * @return the task
     * @throws IllegalStateException if the group has been joined
     */
    public <U> Task<U> spawnDaemon(Callable<U> body) {
        return spawn("", body, true);
    }

    /**
     * Spawns a named daemon task into the group (see {@link #spawnDaemon(Callable)}). Never suspends.
     *
     * @param name the task's name
     * @param body the task's body
     * @param <U>  the task's result type
     * @return the task
     * @throws IllegalStateException if the group has been joined
     */
    public <U> Task<U> spawnDaemon(String name, Callable<U> body) {
        return spawn(name, body, true);
    }

    private <U> Task<U> spawn(String name, Callable<U> body, boolean daemon) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(name, "name");
        checkOpen();
        // The child reports its end on its own stack; it first runs at the kernel's next turn, after
        // the handle has been stored here.
        @SuppressWarnings("unchecked")
        Task<U>[] self = (Task<U>[]) new Task<?>[1];
        Callable<U> reporting = () -> {
            try {
                return body.call();
            } finally {
                taskDone(self[0]);
            }
        };
        Task<U> task = Traps.call(new Trap.Spawn<U>(reporting, name, daemon));
        self[0] = task;
        adopt(task, true);
        return task;
    }

    /**
     * Adds an existing task to the group. Never suspends.
     *
     * @param task the task
     * @throws IllegalStateException if the task already belongs to a group, or the group has been joined
     */
    public void add(Task<? extends T> task) {
        checkOpen();
        adopt(task, false);
    }

    private void adopt(Task<?> task, boolean reports) {
        Objects.requireNonNull(task, "task");
        if (Traps.call(new Trap.GetSlot<>(task, GROUP)) != null) {
            throw new IllegalStateException("task is already part of a task group: " + task);
        }
        Traps.call(new Trap.SetSlot<>(task, GROUP, this));
        if (!task.isDaemon()) {
            tasks.add(task);
        }
        if (task.isTerminated()) {
            if (!task.isDaemon()) {
                finished.add(task);
            }
        } else if (task.isDaemon()) {
            daemons.add(task);
        } else {
            running.add(task);
            if (!reports) {
                adopted.add(task);
                Traps.call(new Trap.WakeOnExit(task, doneWaiters));
            }
        }
    }

    private boolean isMember(Task<?> task) {
        return Traps.call(new Trap.GetSlot<>(task, GROUP)) == this;
    }

    private void leave(Task<?> task) {
        if (isMember(task)) {
            Traps.call(new Trap.SetSlot<>(task, GROUP, null));
        }
    }

    private void checkOpen() {
        if (joined) {
            throw new IllegalStateException("task group already joined");
        }
    }

    /** Called on a spawned child's own stack when its body has ended. */
    private void taskDone(Task<?> t) {
        if (daemons.remove(t)) {
            return;
        }
        if (running.remove(t)) {
            finished.add(t);
            if (!doneWaiters.isEmpty()) {
                Traps.call(new Trap.SchedWake(doneWaiters, doneWaiters.size()));
            }
        }
    }

    /** Moves adopted tasks that have ended to the finished ones, in the order they were added. */
    private void collectAdopted() {
        if (adopted.isEmpty()) {
            return;
        }
        for (var it = adopted.iterator(); it.hasNext(); ) {
            Task<?> t = it.next();
            if (t.isTerminated()) {
                it.remove();
                if (running.remove(t)) {
                    finished.add(t);
                }
            }
        }
    }

    /** Suspends until a task has finished or none is running. */
    private void awaitDone() throws CancelledException {
        collectAdopted();
        while (finished.isEmpty() && !running.isEmpty()) {
            Traps.call(new Trap.SchedWait(doneWaiters, "TASKGROUP_WAIT"));
            collectAdopted();
        }
    }

    /** Takes a task out of the group (it was cancelled by cancelRemaining). */
    private void discard(Task<?> t) {
        finished.remove(t);
        tasks.remove(t);
        running.remove(t);
        adopted.remove(t);
        leave(t);
    }

    /** {@return the next finished task that still belongs to the group, or null} Drops those joined directly. */
    private @Nullable Task<?> pollFinished() {
        Task<?> t;
        while ((t = finished.pollFirst()) != null) {
            if (isMember(t)) {
                return t;
            }
            tasks.remove(t);                              // joined directly: no longer the group's
        }
        return null;
    }

    /**
     * Suspends the calling task until the next task of the group finishes, and removes it from the
     * group.
     *
     * @return the task, or empty if no task is left
     * @throws CancelledException if the calling task is cancelled or times out while waiting
     */
    public Optional<Task<? extends T>> nextDone() throws CancelledException {
        Task<?> t = null;
        while (t == null) {
            awaitDone();
            t = pollFinished();
            if (t == null && running.isEmpty()) {
                return Optional.empty();
            }
        }
        t.await();
        leave(t);
        tasks.remove(t);
        if (!satisfied) {
            boolean failed = t.exception().isPresent();
            satisfied = switch (wait) {
                case ANY, NONE -> true;
                case OBJECT -> failed || t.result() != null;
                case ALL -> false;
            };
            if (satisfied && wait != Wait.NONE) {
                completed = t;
            }
        }
        return Optional.of(member(t));
    }

    /** A member's handle, typed as the group's: its result is a T, or null for a body without one. */
    @SuppressWarnings("unchecked")
    private Task<? extends T> member(Task<?> t) {
        return (Task<? extends T>) t;
    }

    /**
     * Suspends the calling task until the next task of the group finishes, and returns its result.
     *
     * @return the result, which may be null
     * @throws org.curio.traps.TaskException if that task failed
     * @throws IllegalStateException         if no task is left
     * @throws CancelledException            if the calling task is cancelled or times out while waiting
     */
    public @Nullable T nextResult() throws CancelledException {
        Task<? extends T> t = nextDone().orElseThrow(() -> new IllegalStateException("no task available"));
        return t.result();
    }

    /**
     * Cancels every running non-daemon task at once, waits for all of them, and removes them from the
     * group.
     *
     * @throws CancelledException if the calling task is cancelled while waiting
     */
    public void cancelRemaining() throws CancelledException {
        List<Task<?>> victims = new ArrayList<>(running);
        for (Task<?> t : victims) {
            t.requestCancel();
        }
        for (Task<?> t : victims) {
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
            while (true) {
                awaitDone();
                Task<?> t = pollFinished();
                if (t == null) {
                    if (running.isEmpty()) {
                        return;
                    }
                    continue;
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
        } finally {
            cleanUp();
        }
    }

    /** Cancels what is still running (all at once) and waits for it, shielded; marks the group joined. */
    private void cleanUp() {
        boolean previous = Traps.call(new Trap.AllowCancel(false));
        try {
            // Discussion: a child may spawn into the group while it is being cancelled (in its cleanup
            // code); such a late task is cancelled in the next round, as curio's join() does, so no
            // task outlives the group.
            while (!running.isEmpty() || !daemons.isEmpty()) {
                List<Task<?>> victims = new ArrayList<>(running);
                victims.addAll(daemons);
                for (Task<?> t : victims) {
                    t.requestCancel();
                }
                for (Task<?> t : victims) {
                    awaitShielded(t);
                }
                victims.forEach(running::remove);
                victims.forEach(daemons::remove);
                victims.forEach(adopted::remove);
            }
            // The group answers for its members' outcomes: the kernel has logged every crash when it
            // happened, and need not report them again as failures nobody looked at.
            for (Task<?> t : tasks) {
                if (t.isTerminated()) {
                    t.exception();
                }
            }
        } finally {
            Traps.call(new Trap.AllowCancel(previous));
            joined = true;
        }
    }

    private static void awaitShielded(Task<?> t) {
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
     * <p>Leaving once the wait policy is satisfied is normal (see the class description): after
     * {@link #join()}, or once {@link #nextDone()} or {@link #nextResult()} has handed out what a
     * {@link Wait#ANY} or {@link Wait#OBJECT} group waits for, or always for {@link Wait#NONE}.
     *
     * @throws IllegalStateException if the policy was not satisfied and tasks were still running,
     *                               after they have been cancelled and awaited; the message names the
     *                               call that was missing
     */
    @Override
    public void close() {
        collectAdopted();
        boolean mistake = !joined && !satisfied && wait != Wait.NONE && !running.isEmpty();
        int cancelled = running.size();
        if (!joined || !running.isEmpty() || !daemons.isEmpty()) {
            cleanUp();
        }
        if (mistake) {
            throw new IllegalStateException(wait == Wait.ALL
                    ? "task group closed without join(): cancelled " + cancelled
                            + " unfinished task(s); call join() before the end of the block"
                    : "task group closed without join(): cancelled " + cancelled + " unfinished task(s) before "
                            + (wait == Wait.ANY ? "any finished" : "one returned a result") + "; call join(), or"
                            + " nextResult() until it gives what Wait." + wait + " waits for, before the end of the block");
        }
    }

    /** {@return the tasks of the group (not daemons), in creation order} */
    public List<Task<? extends T>> tasks() {
        List<Task<? extends T>> list = new ArrayList<>();
        for (Task<?> t : tasks) {
            if (isMember(t)) {
                list.add(member(t));
            }
        }
        list.sort(Comparator.comparingLong(Task::id));
        return list;
    }

    /** {@return the first task that completed (for {@link Wait#OBJECT}: with a non-null result)} */
    public Optional<Task<? extends T>> completed() {
        return Optional.ofNullable(completed == null ? null : member(completed));
    }

    /**
     * Returns the result of the first task that completed.
     *
     * @return the result, which may be null
     * @throws IllegalStateException         if the group has not been joined, or no task completed
     * @throws org.curio.traps.TaskException if that task failed
     */
    public @Nullable T result() {
        checkJoined();
        if (completed == null) {
            throw new IllegalStateException("no task successfully completed");
        }
        return member(completed).result();
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
    public List<@Nullable T> results() {
        checkJoined();
        List<@Nullable T> results = new ArrayList<>();
        for (Task<? extends T> t : tasks()) {
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
