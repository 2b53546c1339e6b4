package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VoidBody;
import org.curio.test.Trial;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;

/**
 * Events, conditions and results against simple models under random waits, signals, timeouts,
 * cancellations and schedules (the seed also shuffles tasks ready at the same instant), on the
 * virtual clock.
 */
class SignalProperties {
    /** An event recorded by a task, with the virtual clock in seconds. */
    record Ev(String what, int task, long at) {}

    /**
     * Runs {@code program} as one try: the main task of a fresh kernel on a virtual clock, with each
     * batch of ready tasks shuffled by {@code seed}, under a real-time watchdog, checked for leftovers.
     * The models below make no assumption about the order of tasks ready at the same instant. A task
     * waiting on a universal primitive waits on a future, which the kernel counts as an outside event,
     * and by default the virtual clock waits 100 ms of real time for outside events before each jump,
     * so such a try would take seconds instead of milliseconds. Here only tasks of the same kernel wake
     * those waiters, and the wake-up reaches the kernel before it looks for something to do, so the
     * clock jumps as soon as every task is blocked and misses nothing.
     */
    private static void run(long seed, boolean universal, List<Ev> events, VoidBody<?> program) {
        Trial trial = Trial.create().perturbed(seed).describedBy(() -> "events=" + events);
        if (universal) {
            trial = trial.autojumpThreshold(Duration.ZERO);
        }
        trial.run(program);
    }

    private static void add(List<Ev> events, String what, int task) {
        events.add(new Ev(what, task, Timeouts.clock() / 1_000_000_000L));
    }

    /** An adapter over Event and UniversalEvent. */
    private interface Flag {
        void await() throws CancelledException;

        void set();

        void clear();

        boolean isSet();
    }

    private static Flag flag(boolean universal) {
        if (universal) {
            var e = new UniversalEvent();
            return new Flag() {
                public void await() throws CancelledException { e.await(); }
                public void set() { e.set(); }
                public void clear() { e.clear(); }
                public boolean isSet() { return e.isSet(); }
            };
        }
        var e = new Event();
        return new Flag() {
            public void await() throws CancelledException { e.await(); }
            public void set() { e.set(); }
            public void clear() { e.clear(); }
            public boolean isSet() { return e.isSet(); }
        };
    }

    private static void eventScenario(long seed, boolean universal) throws Exception {
        Random rnd = new Random(seed);
        List<Ev> events = Collections.synchronizedList(new ArrayList<>());
        int tasks = 2 + rnd.nextInt(5);
        List<int[]> scripts = new ArrayList<>();                // per task: ops as {op, seconds}
        for (int t = 0; t < tasks; t++) {
            int[] s = new int[2 * (2 + rnd.nextInt(8))];
            for (int i = 0; i < s.length; i += 2) {
                s[i] = rnd.nextInt(4);                           // 0 await, 1 set, 2 clear, 3 sleep
                s[i + 1] = rnd.nextInt(4);
            }
            scripts.add(s);
        }
        run(seed, universal, events, () -> {
            Flag flag = flag(universal);
            List<Task<?>> ts = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                int id = t;
                int[] s = scripts.get(t);
                ts.add(Curio.spawn(() -> {
                    for (int i = 0; i < s.length; i += 2) {
                        switch (s[i]) {
                            case 0 -> {
                                add(events, "req", id);
                                boolean timedOut = s[i + 1] > 0
                                        && Timeouts.ignoreAfter(Duration.ofSeconds(s[i + 1]), flag::await);
                                if (s[i + 1] == 0) {
                                    flag.await();
                                }
                                add(events, timedOut ? "gaveUp" : "woke", id);
                            }
                            case 1 -> {
                                add(events, "set", id);
                                flag.set();
                            }
                            case 2 -> {
                                add(events, "clear", id);
                                flag.clear();
                            }
                            default -> Timeouts.sleep(Duration.ofSeconds(s[i + 1]));
                        }
                    }
                }));
            }
            Timeouts.sleep(Duration.ofSeconds(100));
            while (ts.stream().anyMatch(t -> !t.isTerminated())) {
                add(events, "set", -1);                          // release waiters that wait forever
                flag.set();
                Timeouts.sleep(Duration.ofSeconds(1));
            }
        });
        // Model: a waiter returns normally only if the flag was set when it asked or a set came while it
        // waited; a timed-out waiter saw no set while it waited, except one in the very tick it timed out.
        boolean set = false;
        Set<Integer> waiting = new HashSet<>();
        Set<Integer> woken = new HashSet<>();
        Map<Integer, Long> since = new HashMap<>();
        List<Ev> evs = List.copyOf(events);
        for (int i = 0; i < evs.size(); i++) {
            Ev e = evs.get(i);
            String where = " at event " + i + " " + e + "; seed=" + seed + " events=" + evs;
            switch (e.what()) {
                case "req" -> {
                    if (set) {
                        woken.add(e.task());
                    } else {
                        waiting.add(e.task());
                        since.put(e.task(), e.at());
                    }
                }
                case "set" -> {
                    set = true;
                    for (int w : waiting) {
                        woken.add(w);
                        since.put(w, e.at());
                    }
                    waiting.clear();
                }
                case "clear" -> set = false;
                case "woke" -> assertTrue(woken.remove(e.task()), "woke without a set" + where);
                case "gaveUp" -> {
                    boolean wasWaiting = waiting.remove(e.task());
                    boolean wokenSameTick = woken.contains(e.task()) && since.get(e.task()) == e.at();
                    assertTrue(wasWaiting || wokenSameTick, "timed out although set" + where);
                    woken.remove(e.task());
                }
                default -> throw new AssertionError("unknown event" + where);
            }
        }
        assertTrue(waiting.isEmpty() && woken.isEmpty(), "waiters accounted for; seed=" + seed);
    }

    /** Event: waiters return only after a set, time out only without one, and none is left behind. */
    @Property(tries = 200)
    void eventMatchesModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
        eventScenario(seed, false);
    }

    /** UniversalEvent, used by tasks: the same model as Event. */
    @Property(tries = 200)
    void universalEventMatchesModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
        eventScenario(seed, true);
    }

    /**
     * Condition: however a wait ends (signal, timeout, cancellation), the waiter holds the lock; the lock
     * is never held by two tasks; normal returns never outnumber signals; nothing is left waiting.
     */
    @Property(tries = 200)
    void conditionKeepsTheLock(@ForAll @LongRange(min = 1) long seed) throws Exception {
        Random rnd = new Random(seed);
        List<Ev> events = Collections.synchronizedList(new ArrayList<>());
        int tasks = 2 + rnd.nextInt(5);
        int[][] scripts = new int[tasks][];
        for (int t = 0; t < tasks; t++) {
            scripts[t] = new int[2 * (2 + rnd.nextInt(8))];
            for (int i = 0; i < scripts[t].length; i++) {
                scripts[t][i] = rnd.nextInt(4);                  // pairs {op: 0 await, 1 signal, 2 signalAll, 3 hold; secs}
            }
        }
        int[][] cancels = new int[rnd.nextInt(4)][];
        for (int c = 0; c < cancels.length; c++) {
            cancels[c] = new int[] {rnd.nextInt(15), rnd.nextInt(tasks)};
        }
        java.util.Arrays.sort(cancels, (a, b) -> Integer.compare(a[0], b[0]));
        int[] counts = new int[3];                               // normal returns, signals, broken invariants
        run(seed, false, events, () -> {
            var lock = new Lock();
            var cond = new Condition(lock);
            List<Task<?>> ts = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                int id = t;
                ts.add(Curio.spawn(() -> {
                    int[] s = scripts[id];
                    for (int i = 0; i < s.length; i += 2) {
                        Timeouts.sleep(Duration.ofSeconds(s[i + 1] % 2));
                        try (var _ = cond.acquired()) {
                            switch (s[i]) {
                                case 0 -> {
                                    try {
                                        boolean timedOut = Timeouts.ignoreAfter(Duration.ofSeconds(1 + s[i + 1]),
                                                cond::await);
                                        counts[0] += timedOut ? 0 : 1;
                                    } finally {
                                        if (lock.statistics().owner().orElse(null) != Curio.currentTask()) {
                                            counts[2]++;
                                        }
                                    }
                                }
                                case 1 -> {
                                    cond.signal();
                                    counts[1]++;
                                }
                                case 2 -> {
                                    counts[1] += cond.statistics().waiting();
                                    cond.signalAll();
                                }
                                default -> Timeouts.sleep(Duration.ofSeconds(s[i + 1]));
                            }
                        }
                    }
                }));
            }
            long now = 0;
            for (int[] c : cancels) {
                Timeouts.sleep(Duration.ofSeconds(c[0] - now));
                now = c[0];
                ts.get(c[1]).requestCancel();
            }
            for (Task<?> t : ts) {
                t.await();
            }
            assertEquals(new Condition.Statistics(false, 0), cond.statistics());
            assertEquals("Lock[unlocked, waiting=0]", lock.toString());
        });
        assertEquals(0, counts[2], "a wait ended without the lock; seed=" + seed);
        assertTrue(counts[0] <= counts[1], "more wake-ups than signals; seed=" + seed);
    }

    /** Result and UniversalResult: every unwrap that returns gets the value, and never before it was set. */
    @Property(tries = 200)
    void resultsMatchModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
        Random rnd = new Random(seed);
        boolean universal = rnd.nextBoolean();
        int setAt = rnd.nextInt(5);
        int waiters = 1 + rnd.nextInt(6);
        int[] start = new int[waiters];
        int[] timeout = new int[waiters];
        for (int w = 0; w < waiters; w++) {
            start[w] = rnd.nextInt(6);
            timeout[w] = rnd.nextInt(4);
        }
        List<Ev> events = Collections.synchronizedList(new ArrayList<>());
        run(seed, universal, events, () -> {
            var result = new Result<String>();
            var uresult = new UniversalResult<String>();
            List<Task<?>> ts = new ArrayList<>();
            for (int w = 0; w < waiters; w++) {
                int id = w;
                ts.add(Curio.spawn(() -> {
                    Timeouts.sleep(Duration.ofSeconds(start[id]));
                    Optional<String> got = Timeouts.ignoreAfter(Duration.ofSeconds(timeout[id] == 0 ? 100 : timeout[id]),
                            () -> {
                                try {
                                    return universal ? uresult.unwrap() : result.unwrap();
                                } catch (ExecutionException e) {
                                    throw new AssertionError(e);
                                }
                            });
                    add(events, got.isPresent() ? "got " + got.get() : "gaveUp", id);
                }));
            }
            Timeouts.sleep(Duration.ofSeconds(setAt));
            add(events, "set", -1);
            if (universal) {
                uresult.setValue("v");
            } else {
                result.setValue("v");
            }
            for (Task<?> t : ts) {
                t.await();
            }
        });
        for (Ev e : events) {
            if (e.task() < 0) {
                continue;
            }
            if (e.what().equals("gaveUp")) {
                assertTrue(e.at() <= setAt, "timed out after the set: " + e + " seed=" + seed);
            } else {
                assertEquals("got v", e.what());
                assertTrue(e.at() >= setAt, "returned before the set: " + e + " seed=" + seed);
            }
        }
    }
}
