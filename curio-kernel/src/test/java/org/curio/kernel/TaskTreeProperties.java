package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskException;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.TimeoutCancellationException;
import org.curio.traps.UncaughtTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * R2: random task trees under random cancellation. A scenario is a tree of task programs made of
 * sleeps, yields, spawns, joins, cancels (of children by their parent and of earlier siblings by later
 * ones), task groups with every {@link TaskGroup.Wait} policy in each of their three forms (with
 * {@code nextDone} and {@code cancelRemaining} calls), timeout blocks, shielded regions, cleanup
 * handlers that block again after a cancellation, and deliberate failures. Every task ends by reaping
 * what it spawned (shielded: cancel or await each), so a correct kernel leaves nothing behind.
 *
 * <p>After every try: no live task after {@code run}, an empty ledger after {@code close}, every
 * {@code cancel()} returned only after its target terminated, every task group's children terminated
 * by the time the group was left, no task ended with an exception the program cannot produce, and the
 * same scenario run again gives an identical trace.
 */
class TaskTreeProperties {
    /*
     * Implementation notes. Waits only ever point from a task to its descendants or to an earlier
     * sibling (and so its descendants): in post-order every wait points to a smaller number, so no
     * scenario can deadlock by itself, and every sleep is finite, so every scenario terminates.
     */

    /** A step of a task program. */
    sealed interface Action {
        /** Sleeps {@code seconds} (0: yields through a zero sleep). */
        record Sleep(int seconds) implements Action {}

        /** Yields with {@link Curio#schedule()}. */
        record Yield() implements Action {}

        /** Spawns a child; at the end the parent cancels it ({@code cancelAtEnd}) or waits for it. */
        record Spawn(List<Action> program, boolean cancelAtEnd) implements Action {}

        /** Joins the task's {@code handle}-th child (modulo the number spawned so far). */
        record Join(int handle) implements Action {}

        /** Cancels the task's {@code handle}-th child. */
        record Cancel(int handle) implements Action {}

        /** Cancels an earlier sibling: the parent's {@code sibling}-th child, modulo this task's own index. */
        record CancelSibling(int sibling) implements Action {}

        /** Runs a task group with join policy {@code policy}. */
        record Group(TaskGroup.Wait policy, Form form, List<Child> children, List<Action> body) implements Action {}

        /** Runs {@code body} in {@code Timeouts.after} (catching its own timeout) or {@code ignoreAfter}. */
        record Timeout(boolean ignore, int seconds, List<Action> body) implements Action {}

        /** Runs {@code body} shielded, with {@code Cancellation.disable} or a {@code shield()} region. */
        record Shield(boolean functional, List<Action> body) implements Action {}

        /**
         * Runs {@code body}; on cancellation sleeps {@code cleanupSeconds} before letting it go on. A
         * task cancellation is delivered once: the cleanup sleep must not see it again.
         */
        record Guard(List<Action> body, int cleanupSeconds) implements Action {}

        /** Calls {@code cancelRemaining()} on the innermost group the task is running, if any. */
        record CancelRemaining() implements Action {}

        /** Calls {@code nextDone()} on the innermost group the task is running, if any. */
        record NextDone() implements Action {}

        /** Throws {@link Boom}. */
        record Fail() implements Action {}
    }

    /** How a group is used: try-with-resources with {@code join()}, {@code TaskGroup.run}, or close without join. */
    enum Form { JOIN, RUN, CLOSE }

    /**
     * A child spawned into a group.
     *
     * @param program its program
     * @param daemon  spawned with {@code spawnDaemon}
     */
    record Child(List<Action> program, boolean daemon) {}

    /** The deliberate failure of a {@link Action.Fail} step. */
    static final class Boom extends RuntimeException {
        @java.io.Serial private static final long serialVersionUID = 1L;

        Boom(String path) {
            super("boom in " + path);
        }
    }

    /** Every invariant holds for every generated task tree. */
    @Property(tries = 1000)
    void invariantsHold(@ForAll("programs") List<Action> program) throws Exception {
        Result r = runOnKernel(program);
        r.check(program);
        Statistics.label("tasks").collect(bucket(r.tasks));
        Statistics.label("cancels").collect(r.cancels == 0 ? "none" : r.cancels < 4 ? "1-3" : "4+");
        Statistics.label("main").collect(r.mainOutcome);
    }

    /**
     * Tasks nobody waits for are left running when the main task returns; closing the kernel cancels
     * every one of them (and whatever they spawn meanwhile): every task that started has ended and the
     * ledger is empty.
     */
    @Property(tries = 1000)
    void closeEndsForgottenTasks(@ForAll("programs") List<Action> program) throws Exception {
        Result r = runOnKernel(program, false);
        String context = describe(program, r);
        assertEquals(List.of(), r.violations, () -> "violations\n" + context);
        assertEquals(r.tasks, r.ended, () -> "tasks started " + r.tasks + ", ended " + r.ended + "\n" + context);
        assertTrue(r.ledger != null && r.ledger.isEmpty(),
                () -> "kernel left " + r.ledger + " after close\n" + context);
        Statistics.label("left to close").collect(bucket(r.left.size()));
    }

    /** The same scenario, run twice on fresh kernels, gives an identical trace (a failing seed replays). */
    @Property(tries = 200)
    void sameScenarioSameTrace(@ForAll("programs") List<Action> program) throws Exception {
        Result first = runOnKernel(program);
        Result second = runOnKernel(program);
        first.check(program);
        assertEquals(first.trace, second.trace, () -> "trace differs on replay of " + program);
    }

    /**
     * Kernel.close() ends a task that the cleanup code of a cancelled task spawns while the kernel
     * shuts down (the minimal reproduction of a {@code closeEndsForgottenTasks} failure).
     */
    @Test
    void closeEndsTaskSpawnedByCleanupDuringShutdown() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build();
        var outcome = Watchdog.runKernel(kernel, Watchdog.LIMIT, events::toString, () -> {
            Curio.spawn(() -> {                                    // forgotten: left for close()
                try {
                    Timeouts.sleep(Duration.ofSeconds(10));
                } finally {
                    events.add("cleanup spawns");
                    Curio.spawn(() -> {
                        events.add("late task started");
                        try {
                            Timeouts.sleep(Duration.ofSeconds(10));
                            events.add("late task slept");
                        } catch (CancelledException e) {
                            events.add("late task " + e.getClass().getSimpleName());
                            throw e;
                        }
                    });
                    events.add("cleanup done");
                }
            });
            return null;
        });
        // The late task runs (the kernel accepts the spawn), and close() cancels it before it wakes.
        assertEquals(List.of("cleanup spawns", "cleanup done", "late task started",
                "late task TaskCancelledException"), List.copyOf(events));
        assertEquals(1, outcome.tasksAfterRun().size(), "one forgotten task after run");
        assertTrue(kernel.tasks().isEmpty(), () -> "tasks left after close: " + kernel.tasks() + ", events " + events);
        assertTrue(outcome.ledger().isEmpty(),
                () -> "kernel left " + outcome.ledger() + " after close, events " + events);
    }

    private static String bucket(int tasks) {
        return tasks == 0 ? "0" : tasks == 1 ? "1" : tasks <= 5 ? "2-5" : tasks <= 20 ? "6-20" : "21+";
    }

    // ------------------------------------------------------------------ running a scenario

    /** What one run recorded. */
    private static final class Result {
        final List<String> trace = Collections.synchronizedList(new ArrayList<>());
        final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        int tasks;
        int ended;
        int cancels;
        String mainOutcome = "";
        List<Task<?>> left = List.of();
        @Nullable Ledger ledger;

        void check(List<Action> program) {
            String context = describe(program, this);
            assertEquals(List.of(), violations, () -> "violations\n" + context);
            assertEquals(List.of(), left, () -> "tasks left after run\n" + context);
            assertTrue(ledger != null && ledger.isEmpty(), () -> "kernel left " + ledger + "\n" + context);
        }
    }

    private static String describe(List<Action> program, Result r) {
        return "program: " + program + "\ntrace:\n  " + String.join("\n  ", List.copyOf(r.trace));
    }

    private static Result runOnKernel(List<Action> program) throws Exception {
        return runOnKernel(program, true);
    }

    /** Runs {@code program} as the main task of a fresh kernel, then closes it ({@code reap}: see Interpreter). */
    private static Result runOnKernel(List<Action> program, boolean reap) throws Exception {
        Result r = new Result();
        Kernel kernel = Kernel.builder().clock(VirtualClock.create()).shutdownTimeout(Duration.ofDays(1)).build();
        var outcome = Watchdog.runKernel(kernel, Watchdog.LIMIT, () -> describe(program, r), () -> {
            Callable<Object> main = new Interpreter(r, reap).body(new Ctx("m", null, 0), program);
            try {
                main.call();
                return "ok";
            } catch (Boom | CancelledException | UncaughtTimeoutException e) {
                return e.getClass().getSimpleName();
            }
        });
        r.mainOutcome = outcome.result();
        r.left = outcome.tasksAfterRun();
        r.ledger = outcome.ledger();
        return r;
    }

    /** A task's view of the tree: its name, its children, its parent, and the groups it is running. */
    private static final class Ctx {
        final String path;
        final @Nullable Ctx parent;
        final int index;                                   // in the parent's children
        final List<Task<?>> children = new ArrayList<>();
        final List<Boolean> cancelAtEnd = new ArrayList<>();
        final Deque<Group> groups = new ArrayDeque<>();

        Ctx(String path, @Nullable Ctx parent, int index) {
            this.path = path;
            this.parent = parent;
            this.index = index;
        }

        String child(int i) {
            return path + "." + i;
        }
    }

    /** A group being run and the tasks spawned into it. */
    private record Group(TaskGroup<Object> group, List<Task<?>> members, List<Boolean> daemon) {}

    /**
     * Runs programs as task code, recording a trace and any broken invariant.
     *
     * @param r    where to record
     * @param reap whether each task cancels or awaits its unfinished children at its end; if not,
     *             forgotten tasks are left for {@link Kernel#close()}
     */
    private record Interpreter(Result r, boolean reap) {
        Callable<Object> body(Ctx ctx, List<Action> program) {
            return () -> {
                r.tasks++;
                log(ctx, "start");
                Exception failure = null;
                try {
                    exec(ctx, program);
                } catch (CancelledException | RuntimeException e) {
                    failure = e;
                }
                try {
                    if (reap) {
                        reap(ctx);
                    }
                } catch (CancelledException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
                log(ctx, failure == null ? "end" : "exit " + name(failure));
                r.ended++;
                if (failure != null && !(failure instanceof TaskCancelledException || failure instanceof Boom
                        || failure instanceof UncaughtTimeoutException)) {
                    violation(ctx, "ended with an exception its program cannot produce: " + failure);
                }
                if (failure != null) {
                    throw failure;
                }
                return ctx.index % 2 == 0 ? null : ctx.path;     // null results matter to Wait.OBJECT
            };
        }

        /** Cancels or awaits every child still running, shielded, newest first. */
        private void reap(Ctx ctx) throws CancelledException {
            try (var _ = Cancellation.shield()) {
                for (int i = ctx.children.size() - 1; i >= 0; i--) {
                    Task<?> t = ctx.children.get(i);
                    if (t.isTerminated()) {
                        continue;
                    }
                    if (ctx.cancelAtEnd.get(i)) {
                        cancel(ctx, t, ctx.child(i));
                    } else {
                        t.await();
                        if (!t.isTerminated()) {
                            violation(ctx, "await of " + ctx.child(i) + " returned before it terminated");
                        }
                    }
                }
            }
        }

        private void exec(Ctx ctx, List<Action> program) throws CancelledException {
            for (Action a : program) {
                step(ctx, a);
            }
        }

        private void step(Ctx ctx, Action action) throws CancelledException {
            switch (action) {
                case Action.Sleep(int s) -> {
                    Timeouts.sleep(Duration.ofSeconds(s));
                    log(ctx, "slept " + s);
                }
                case Action.Yield() -> {
                    Curio.schedule();
                    log(ctx, "yielded");
                }
                case Action.Spawn(List<Action> program, boolean cancelAtEnd) -> {
                    Ctx child = new Ctx(ctx.child(ctx.children.size()), ctx, ctx.children.size());
                    ctx.children.add(Curio.spawn(body(child, program)));
                    ctx.cancelAtEnd.add(cancelAtEnd);
                    log(ctx, "spawned " + child.path);
                }
                case Action.Join(int h) -> join(ctx, h);
                case Action.Cancel(int h) -> {
                    if (!ctx.children.isEmpty()) {
                        int i = h % ctx.children.size();
                        cancel(ctx, ctx.children.get(i), ctx.child(i));
                    }
                }
                case Action.CancelSibling(int k) -> {
                    Ctx parent = ctx.parent;
                    if (parent != null && ctx.index > 0) {
                        int i = k % ctx.index;
                        cancel(ctx, parent.children.get(i), parent.child(i));
                    }
                }
                case Action.Group g -> group(ctx, g);
                case Action.Timeout(boolean ignore, int s, List<Action> body) -> timeout(ctx, ignore, s, body);
                case Action.Shield(boolean functional, List<Action> body) -> {
                    if (functional) {
                        Cancellation.disable(() -> exec(ctx, body));
                    } else {
                        try (var _ = Cancellation.shield()) {
                            exec(ctx, body);
                        }
                    }
                    log(ctx, "unshielded");
                }
                case Action.Guard(List<Action> body, int cleanup) -> {
                    try {
                        exec(ctx, body);
                    } catch (CancelledException e) {
                        log(ctx, "cleanup after " + name(e));
                        try {
                            Timeouts.sleep(Duration.ofSeconds(cleanup));
                        } catch (TaskCancelledException again) {
                            if (e instanceof TaskCancelledException) {
                                violation(ctx, "cancellation delivered twice");
                            }
                            throw again;
                        }
                        log(ctx, "cleanup done");
                        throw e;
                    }
                }
                case Action.CancelRemaining() -> {
                    Group g = ctx.groups.peek();
                    if (g != null) {
                        g.group().cancelRemaining();
                        log(ctx, "cancelled remaining");
                        for (int i = 0; i < g.members().size(); i++) {
                            if (!g.daemon().get(i) && !g.members().get(i).isTerminated()) {
                                violation(ctx, "cancelRemaining returned with a running task " + g.members().get(i));
                            }
                        }
                    }
                }
                case Action.NextDone() -> {
                    Group g = ctx.groups.peek();
                    if (g != null) {
                        Task<?> done = g.group().nextDone().orElse(null);
                        int i = g.members().indexOf(done);
                        log(ctx, "next done " + (done == null ? "none" : ctx.child(ctx.children.indexOf(done))));
                        if (done != null && (!done.isTerminated() || i < 0 || g.daemon().get(i))) {
                            violation(ctx, "nextDone gave " + done + ", not a terminated non-daemon member");
                        }
                    }
                }
                case Action.Fail() -> throw new Boom(ctx.path);
            }
        }

        private void join(Ctx ctx, int h) throws CancelledException {
            if (ctx.children.isEmpty()) {
                return;
            }
            int i = h % ctx.children.size();
            try {
                ctx.children.get(i).join();
                log(ctx, "joined " + ctx.child(i));
            } catch (TaskException e) {
                log(ctx, "joined " + ctx.child(i) + ": " + name(e.getCause()));
            }
        }

        private void cancel(Ctx ctx, Task<?> target, String name) throws CancelledException {
            r.cancels++;
            log(ctx, "cancelling " + name);
            target.cancel();
            log(ctx, "cancelled " + name);
            if (!target.isTerminated()) {
                violation(ctx, "cancel() of " + name + " returned before it terminated");
            }
        }

        private void timeout(Ctx ctx, boolean ignore, int s, List<Action> body) throws CancelledException {
            Duration d = Duration.ofSeconds(s);
            if (ignore) {
                boolean expired = Timeouts.ignoreAfter(d, () -> exec(ctx, body));
                log(ctx, expired ? "ignored timeout" : "within ignoreAfter");
                return;
            }
            try {
                Timeouts.after(d, () -> exec(ctx, body));
                log(ctx, "within timeout");
            } catch (TaskTimeoutException e) {
                log(ctx, "timed out");
            }
        }

        private void group(Ctx ctx, Action.Group g) throws CancelledException {
            List<Task<?>> members = new ArrayList<>();
            List<Boolean> daemon = new ArrayList<>();
            log(ctx, "group " + g.policy() + " " + g.form());
            try {
                switch (g.form()) {
                    case JOIN -> {
                        try (TaskGroup<Object> group = TaskGroup.open(g.policy())) {
                            fill(ctx, new Group(group, members, daemon), g);
                            group.join();
                        }
                        log(ctx, "group joined");
                    }
                    case RUN -> {
                        TaskGroup.run(g.policy(), group -> fill(ctx, new Group(group, members, daemon), g));
                        log(ctx, "group ran");
                    }
                    case CLOSE -> {
                        try (TaskGroup<Object> group = TaskGroup.open(g.policy())) {
                            fill(ctx, new Group(group, members, daemon), g);
                        } catch (IllegalStateException e) {
                            if (!String.valueOf(e.getMessage()).startsWith("task group closed without join()")) {
                                throw e;
                            }
                            log(ctx, "group closed unjoined");
                        }
                        log(ctx, "group closed");
                    }
                }
            } finally {
                for (Task<?> t : members) {
                    if (!t.isTerminated()) {
                        violation(ctx, "group child " + t + " outlived its group");
                    }
                }
            }
        }

        /** Spawns the group's children, then runs its body with the group as the innermost one. */
        private void fill(Ctx ctx, Group run, Action.Group g) throws CancelledException {
            for (Child c : g.children()) {
                int index = ctx.children.size();
                Ctx child = new Ctx(ctx.child(index), ctx, index);
                Callable<Object> body = body(child, c.program());
                Task<?> t = c.daemon() ? run.group().spawnDaemon(body::call) : run.group().spawn(body);
                ctx.children.add(t);
                ctx.cancelAtEnd.add(true);
                run.members().add(t);
                run.daemon().add(c.daemon());
                log(ctx, "spawned " + child.path + (c.daemon() ? " (daemon) into group" : " into group"));
            }
            ctx.groups.push(run);
            try {
                exec(ctx, g.body());
            } finally {
                ctx.groups.pop();
            }
        }

        private void log(Ctx ctx, String event) {
            r.trace.add(TestClock.seconds(Timeouts.clock()) + " " + ctx.path + " " + event);
        }

        private void violation(Ctx ctx, String what) {
            log(ctx, "VIOLATION " + what);
            r.violations.add(ctx.path + ": " + what);
        }

        private static String name(@Nullable Throwable e) {
            if (e == null) {
                return "null";
            }
            if (e instanceof TaskTimeoutException t) {
                return "TaskTimeout(" + TestClock.seconds(t.clockNanos()) + ")";
            }
            if (e instanceof TimeoutCancellationException t) {
                return "TimeoutCancellation(" + TestClock.seconds(t.clockNanos()) + ")";
            }
            return e.getClass().getSimpleName();
        }
    }

    /** Formats the virtual clock. */
    private static final class TestClock {
        static String seconds(long nanos) {
            return nanos % 1_000_000_000L == 0 ? Long.toString(nanos / 1_000_000_000L) : nanos + "ns";
        }
    }

    // ------------------------------------------------------------------ generators

    private final Map<Integer, Arbitrary<List<Action>>> programs = new HashMap<>();

    @Provide
    Arbitrary<List<Action>> programs() {
        return program(3).filter(p -> !p.isEmpty());
    }

    private Arbitrary<List<Action>> program(int depth) {
        return programs.computeIfAbsent(depth, d -> action(d).list().ofMaxSize(d == 3 ? 8 : 5));
    }

    private Arbitrary<Action> action(int depth) {
        Arbitrary<Integer> small = Arbitraries.integers().between(0, 7);
        Arbitrary<Action> leaf = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.integers().between(0, 3).map(Action.Sleep::new)),
                Tuple.of(2, Arbitraries.just(new Action.Yield())),
                Tuple.of(4, small.map(Action.Join::new)),
                Tuple.of(6, small.map(Action.Cancel::new)),
                Tuple.of(6, small.map(Action.CancelSibling::new)),
                Tuple.of(2, Arbitraries.just(new Action.CancelRemaining())),
                Tuple.of(2, Arbitraries.just(new Action.NextDone())),
                Tuple.of(1, Arbitraries.just(new Action.Fail())));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<List<Action>> inner = Arbitraries.lazy(() -> program(depth - 1));
        Arbitrary<Child> child = Combinators.combine(inner,
                Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(false)), Tuple.of(1, Arbitraries.just(true))))
                .as(Child::new);
        Arbitrary<Action> spawn = Combinators.combine(inner, Arbitraries.of(false, true)).as(Action.Spawn::new);
        Arbitrary<Action> group = Combinators.combine(Arbitraries.of(TaskGroup.Wait.class), Arbitraries.of(Form.class),
                child.list().ofMaxSize(3), inner).as(Action.Group::new);
        Arbitrary<Action> timeout = Combinators.combine(Arbitraries.of(false, true),
                Arbitraries.integers().between(0, 4), inner).as(Action.Timeout::new);
        Arbitrary<Action> shield = Combinators.combine(Arbitraries.of(false, true), inner).as(Action.Shield::new);
        Arbitrary<Action> guard = Combinators.combine(inner, Arbitraries.integers().between(0, 2))
                .as(Action.Guard::new);
        return Arbitraries.frequencyOf(
                Tuple.of(8, leaf),
                Tuple.of(4, spawn),
                Tuple.of(3, group),
                Tuple.of(2, timeout),
                Tuple.of(1, shield),
                Tuple.of(1, guard));
    }
}
