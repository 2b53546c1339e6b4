package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.test.Trial;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;

/**
 * A random program of tasks taking and releasing one lock-like primitive ({@link Lock}, {@link RLock},
 * {@link Semaphore}, {@link BoundedSemaphore}) with timeouts, tries and cancellations, checked event
 * by event against a model: fair hand-off to the longest live waiter, no barging, mutual exclusion
 * (at most {@code permits} holders), a cancelled or timed-out acquire takes nothing, and everything is
 * back to its initial state at the end.
 */
final class LockScenario {
    /** The primitive under test. */
    enum Kind { LOCK, RLOCK, SEMAPHORE, BOUNDED }

    /** One step: sleep first, acquire with a timeout (0: none) or try, hold, and re-enter (RLock). */
    record Step(int sleep, int timeout, boolean tryOnly, int hold, boolean reenter) {}

    /** An event recorded by a task. */
    record Ev(String what, int task) {
        @Override
        public String toString() {
            return what + "(" + task + ")";
        }
    }

    final long seed;
    final Kind kind;
    final int permits;
    final List<List<Step>> scripts = new ArrayList<>();
    final List<int[]> cancels = new ArrayList<>();
    final List<Ev> events = Collections.synchronizedList(new ArrayList<>());

    LockScenario(long seed, Kind kind) {
        this.seed = seed;
        this.kind = kind;
        Random rnd = new Random(seed);
        this.permits = kind == Kind.SEMAPHORE || kind == Kind.BOUNDED ? 1 + rnd.nextInt(3) : 1;
        int tasks = 2 + rnd.nextInt(5);
        for (int t = 0; t < tasks; t++) {
            List<Step> s = new ArrayList<>();
            for (int i = 2 + rnd.nextInt(8); i > 0; i--) {
                s.add(new Step(rnd.nextInt(3), rnd.nextInt(4), rnd.nextInt(5) == 0, rnd.nextInt(3),
                        rnd.nextBoolean()));
            }
            scripts.add(s);
        }
        for (int c = rnd.nextInt(4); c > 0; c--) {
            cancels.add(new int[] {rnd.nextInt(15), rnd.nextInt(tasks)});
        }
        cancels.sort((a, b) -> Integer.compare(a[0], b[0]));
    }

    private void ev(String what, int task) {
        events.add(new Ev(what, task));
    }

    /** An adapter over the four primitives. */
    private interface Prim {
        void acquire() throws CancelledException;

        boolean tryAcquire();

        void release();

        String state();
    }

    private Prim create() {
        return switch (kind) {
            case LOCK -> {
                var l = new Lock();
                yield new Prim() {
                    public void acquire() throws CancelledException { l.acquire(); }
                    public boolean tryAcquire() { return l.tryAcquire(); }
                    public void release() { l.release(); }
                    public String state() { return l.toString(); }
                };
            }
            case RLOCK -> {
                var l = new RLock();
                yield new Prim() {
                    public void acquire() throws CancelledException { l.acquire(); }
                    public boolean tryAcquire() { return l.tryAcquire(); }
                    public void release() { l.release(); }
                    public String state() { return l.toString(); }
                };
            }
            case SEMAPHORE, BOUNDED -> {
                Semaphore s = kind == Kind.BOUNDED ? new BoundedSemaphore(permits) : new Semaphore(permits);
                yield new Prim() {
                    public void acquire() throws CancelledException { s.acquire(); }
                    public boolean tryAcquire() { return s.tryAcquire(); }
                    public void release() { s.release(); }
                    public String state() { return s.toString(); }
                };
            }
        };
    }

    /**
     * Runs the program as one try on a fresh kernel, with the order of tasks ready at the same instant
     * shuffled by the seed, and checks the model; the model follows the order the tasks actually ran in.
     */
    void runAndCheck() {
        String end = Trial.create().perturbed(seed).run(this::program);
        String initial = switch (kind) {
            case LOCK -> "Lock[unlocked, waiting=0]";
            case RLOCK -> "RLock[unlocked, holds=0, waiting=0]";
            case SEMAPHORE -> "Semaphore[value=" + permits + ", waiting=0]";
            case BOUNDED -> "BoundedSemaphore[value=" + permits + ", bound=" + permits + ", waiting=0]";
        };
        assertEquals(initial, end, "back to the initial state; " + describe());
        check();
    }

    private String program() throws Exception {
        Prim p = create();
        List<Task<?>> tasks = new ArrayList<>();
        for (int t = 0; t < scripts.size(); t++) {
            int id = t;
            tasks.add(Curio.spawn(() -> script(p, id)));
        }
        long now = 0;
        for (int[] c : cancels) {
            Timeouts.sleep(Duration.ofSeconds(c[0] - now));
            now = c[0];
            tasks.get(c[1]).requestCancel();
        }
        for (Task<?> t : tasks) {
            t.await();
        }
        return p.state();
    }

    private void script(Prim p, int id) throws CancelledException {
        for (Step s : scripts.get(id)) {
            Timeouts.sleep(Duration.ofSeconds(s.sleep()));
            if (s.tryOnly()) {
                boolean ok = p.tryAcquire();
                ev(ok ? "tryOk" : "tryNo", id);
                if (!ok) {
                    continue;
                }
            } else {
                ev("req", id);
                try {
                    if (s.timeout() == 0) {
                        p.acquire();
                    } else if (Timeouts.ignoreAfter(Duration.ofSeconds(s.timeout()), p::acquire)) {
                        ev("gaveUp", id);
                        continue;
                    }
                    ev("got", id);
                } catch (CancelledException e) {
                    ev("gaveUp", id);
                    throw e;
                }
            }
            try {
                if (kind == Kind.RLOCK && s.reenter()) {
                    ev("req", id);
                    p.acquire();                             // the owner never waits
                    ev("got", id);
                    ev("rel", id);
                    p.release();
                }
                Timeouts.sleep(Duration.ofSeconds(s.hold()));
            } finally {
                ev("rel", id);
                p.release();
            }
        }
    }

    String describe() {
        return "seed=" + seed + " (program and schedule) kind=" + kind + " permits=" + permits + " events=" + events;
    }

    // ------------------------------------------------------------------ the model

    private void check() {
        List<Ev> evs;
        synchronized (events) {
            evs = List.copyOf(events);
        }
        boolean[] doomed = new boolean[evs.size()];
        Map<Integer, String> next = new HashMap<>();
        for (int j = evs.size() - 1; j >= 0; j--) {
            Ev e = evs.get(j);
            if (e.what().equals("req")) {
                doomed[j] = "gaveUp".equals(next.get(e.task()));
            }
            next.put(e.task(), e.what());
        }
        int free = permits;                                   // free permits (lock: 1 or 0)
        Map<Integer, Integer> holds = new HashMap<>();        // task -> holds (RLock re-entry counts)
        ArrayDeque<Integer> waiting = new ArrayDeque<>();
        Set<Integer> doomedNow = new HashSet<>();
        Set<Integer> granted = new HashSet<>();
        Set<Integer> now = new HashSet<>();
        for (int i = 0; i < evs.size(); i++) {
            Ev e = evs.get(i);
            int t = e.task();
            String where = " at event " + i + " " + e + "; " + describe();
            int live = 0;
            for (int w : waiting) {
                live += doomedNow.contains(w) ? 0 : 1;
            }
            switch (e.what()) {
                case "req" -> {
                    if (kind == Kind.RLOCK && holds.getOrDefault(t, 0) > 0) {
                        now.add(t);
                    } else if (free > 0 && live == 0) {
                        free--;
                        now.add(t);
                    } else {
                        waiting.add(t);
                        if (doomed[i]) {
                            doomedNow.add(t);
                        }
                    }
                }
                case "got" -> {
                    assertTrue(now.remove(t) || granted.remove(t), "acquired without a grant" + where);
                    holds.merge(t, 1, Integer::sum);
                }
                case "tryOk", "tryNo" -> {
                    boolean expect = free > 0 || (kind == Kind.RLOCK && holds.getOrDefault(t, 0) > 0);
                    assertEquals(expect, e.what().equals("tryOk"), "try" + where);
                    if (expect) {
                        if (!(kind == Kind.RLOCK && holds.getOrDefault(t, 0) > 0)) {
                            free--;
                        }
                        holds.merge(t, 1, Integer::sum);
                    }
                }
                case "gaveUp" -> {
                    doomedNow.remove(t);
                    assertTrue(waiting.remove(t), "gave up without waiting (a grant was lost)" + where);
                }
                case "rel" -> {
                    int h = holds.getOrDefault(t, 0);
                    assertTrue(h > 0, "released without holding" + where);
                    holds.put(t, h - 1);
                    if (h - 1 == 0 || kind == Kind.SEMAPHORE || kind == Kind.BOUNDED) {
                        Integer nextWaiter = null;
                        for (var it = waiting.iterator(); it.hasNext(); ) {
                            int w = it.next();
                            if (!doomedNow.contains(w)) {
                                it.remove();
                                nextWaiter = w;
                                break;
                            }
                        }
                        if (nextWaiter != null) {
                            granted.add(nextWaiter);                 // handed over: stays taken
                        } else {
                            free++;
                        }
                    }
                }
                default -> fail("unknown event" + where);
            }
            int holders = 0;
            for (int v : holds.values()) {
                holders += v > 0 ? 1 : 0;
            }
            assertTrue(holders + granted.size() <= permits, "more holders than permits" + where);
        }
        assertEquals(permits, free, "permits conserved; " + describe());
        assertTrue(waiting.isEmpty() && granted.isEmpty(), "nobody left waiting; " + describe());
    }
}
