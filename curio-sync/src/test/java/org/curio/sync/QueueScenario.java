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
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.test.Trial;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;

/**
 * A random program of tasks putting to and getting from one queue, with timeouts, tries and
 * cancellations, run on the virtual clock and then checked event by event against a model of the
 * queue (fair reservations, the kind's order, nothing lost or duplicated, a cancelled wait leaves
 * the queue as if it had never waited).
 */
final class QueueScenario {
    /** What a task does next. */
    enum Op { PUT, GET, TRY_PUT, TRY_GET, SLEEP }

    /** One step: the operation, its timeout in seconds (0: none) or sleep length. */
    record Step(Op op, int seconds) {}

    /** An event, recorded by the task that made it, in the order the kernel ran them. */
    record Ev(String what, int task, int item) {
        @Override
        public String toString() {
            return what + "(" + task + (item >= 0 ? "," + item : "") + ")";
        }
    }

    final long seed;
    final TestQueue.Kind kind;
    final int maxsize;
    final List<List<Step>> scripts = new ArrayList<>();
    final List<int[]> cancels = new ArrayList<>();        // {second, task}
    final List<Ev> events = Collections.synchronizedList(new ArrayList<>());
    int operations;                                       // get/put attempts, for the R4 count

    QueueScenario(long seed, TestQueue.Kind kind) {
        this.seed = seed;
        this.kind = kind;
        Random rnd = new Random(seed);
        this.maxsize = rnd.nextInt(4);                    // 0: unbounded
        int tasks = 2 + rnd.nextInt(5);
        for (int t = 0; t < tasks; t++) {
            List<Step> s = new ArrayList<>();
            int n = 4 + rnd.nextInt(20);
            for (int i = 0; i < n; i++) {
                Op op = Op.values()[rnd.nextInt(Op.values().length)];
                int secs = rnd.nextInt(4);
                s.add(new Step(op, secs));
            }
            scripts.add(s);
        }
        int nc = rnd.nextInt(4);
        for (int c = 0; c < nc; c++) {
            cancels.add(new int[] {rnd.nextInt(20), rnd.nextInt(tasks)});
        }
        cancels.sort((a, b) -> Integer.compare(a[0], b[0]));
    }

    private void ev(String what, int task, int item) {
        events.add(new Ev(what, task, item));
    }

    /**
     * Runs the program as one try on a fresh kernel, with the order of tasks ready at the same instant
     * shuffled by the seed, and checks the model, which follows the order the tasks actually ran in;
     * returns this. The universal queue's waiters wait on futures, which the virtual clock by default
     * gives 100 ms of real time before each jump; only tasks of this kernel complete them, and the
     * wake-up reaches the kernel before it looks for something to do, so that try jumps at once.
     */
    QueueScenario runAndCheck() {
        Trial trial = Trial.create().perturbed(seed).describedBy(this::describe);
        if (kind == TestQueue.Kind.UNIVERSAL) {
            trial = trial.autojumpThreshold(Duration.ZERO);
        }
        check(trial.run(this::program));
        return this;
    }

    private List<Integer> program() throws Exception {
        TestQueue q = kind.create(maxsize);
        List<Task<?>> tasks = new ArrayList<>();
        for (int t = 0; t < scripts.size(); t++) {
            int id = t;
            tasks.add(Curio.spawn(() -> script(q, id)));
        }
        long now = 0;
        for (int[] c : cancels) {
            Timeouts.sleep(Duration.ofSeconds(c[0] - now));
            now = c[0];
            tasks.get(c[1]).requestCancel();
        }
        Timeouts.sleep(Duration.ofSeconds(200 - now));     // scripts take at most ~100 s
        for (Task<?> t : tasks) {
            t.requestCancel();                              // getters left waiting forever
        }
        for (Task<?> t : tasks) {
            t.await();
        }
        List<Integer> rest = new ArrayList<>();
        for (Optional<Integer> i = q.tryGet(); i.isPresent(); i = q.tryGet()) {
            rest.add(i.get());
        }
        assertEquals(List.of(0, 0), q.waiting().subList(0, 2), "no getter or putter left waiting");
        return rest;
    }

    private void script(TestQueue q, int id) throws CancelledException {
        int seq = 0;
        for (Step s : scripts.get(id)) {
            int item = id * 1000 + seq++;
            switch (s.op()) {
                case SLEEP -> Timeouts.sleep(Duration.ofSeconds(s.seconds()));
                case TRY_PUT -> ev(q.tryPut(item) ? "tryPutOk" : "tryPutNo", id, item);
                case TRY_GET -> {
                    Optional<Integer> got = q.tryGet();
                    ev(got.isPresent() ? "tryGetOk" : "tryGetNo", id, got.orElse(-1));
                }
                case PUT -> {
                    operations++;
                    ev("putReq", id, item);
                    try {
                        timed(s.seconds(), () -> {
                            q.put(item);
                            return Boolean.TRUE;
                        });
                        ev("putDone", id, item);
                    } catch (TimedOut | CancelledException e) {
                        ev("putGaveUp", id, item);
                        if (e instanceof CancelledException c) {
                            throw c;
                        }
                    }
                }
                case GET -> {
                    operations++;
                    ev("getReq", id, -1);
                    try {
                        int got = timed(s.seconds(), q::get);
                        ev("got", id, got);
                    } catch (TimedOut | CancelledException e) {
                        ev("getGaveUp", id, -1);
                        if (e instanceof CancelledException c) {
                            throw c;
                        }
                    }
                }
            }
        }
    }

    /** An operation whose own timeout expired. */
    static final class TimedOut extends Exception {
        private static final long serialVersionUID = 1L;
    }

    /** Something that may be cancelled. */
    interface Op2<T> {
        /** Runs it. */
        T call() throws CancelledException;
    }

    private static <T> T timed(int seconds, Op2<T> op) throws CancelledException, TimedOut {
        if (seconds == 0) {
            return op.call();
        }
        Optional<T> r = Timeouts.ignoreAfter(Duration.ofSeconds(seconds), op::call);
        if (r.isEmpty()) {
            throw new TimedOut();
        }
        return r.get();
    }

    String describe() {
        return "seed=" + seed + " (program and schedule) kind=" + kind + " maxsize=" + maxsize + " events=" + events;
    }

    // ------------------------------------------------------------------ the model

    /*
     * Discussion: a task queue's waiter that times out or is cancelled leaves the kernel's wait queue
     * when the kernel delivers the exception, which may be some turns before the task runs and records
     * its give-up. A waiter still parked when an item (a place) arrives would have been woken and would
     * have succeeded, so a wait that ends in a give-up was never granted: the model skips such
     * ("doomed") waits when it grants, and when it decides whether a newcomer must wait. A universal
     * queue's waiter leaves its list only when it runs, exactly where it records the give-up, so there
     * the model keeps doomed waits in line and passes on what they were granted.
     */
    private void check(List<Integer> left) {
        boolean universal = kind == TestQueue.Kind.UNIVERSAL;
        List<Ev> evs;
        synchronized (events) {
            evs = List.copyOf(events);
        }
        boolean[] doomedWait = new boolean[evs.size()];   // for each getReq/putReq: does it end in a give-up?
        Map<Integer, String> nextOutcome = new HashMap<>();
        for (int j = evs.size() - 1; j >= 0; j--) {
            Ev e = evs.get(j);
            if (e.what().equals("getReq") || e.what().equals("putReq")) {
                doomedWait[j] = !universal && String.valueOf(nextOutcome.get(e.task())).endsWith("GaveUp");
            }
            nextOutcome.put(e.task(), e.what());
        }
        Model m = new Model(switch (kind) {
            case PRIORITY -> new java.util.PriorityQueue<>();
            case LIFO -> Collections.asLifoQueue(new ArrayDeque<>());
            case FIFO, UNIVERSAL -> new ArrayDeque<>();
        });
        Map<Integer, Integer> lastGotFrom = new HashMap<>();
        Set<Integer> put = new HashSet<>();
        Set<Integer> got = new HashSet<>();
        for (int i = 0; i < evs.size(); i++) {
            Ev e = evs.get(i);
            String where = " at event " + i + " " + e + "; " + describe();
            int t = e.task();
            switch (e.what()) {
                case "putReq" -> {
                    if (m.live(m.putWaiting) == 0 && m.hasRoom()) {
                        m.putNow.add(t);
                    } else {
                        m.putWaiting.add(t);
                        if (doomedWait[i]) {
                            m.doomed.add(t);
                        }
                    }
                }
                case "putDone", "tryPutOk" -> {
                    if (e.what().equals("tryPutOk")) {
                        assertTrue(m.live(m.putWaiting) == 0 && m.hasRoom(), "tryPut should fail" + where);
                    } else {
                        assertTrue(m.putNow.remove(t) || m.putGranted.remove(t), "put done without room" + where);
                    }
                    m.store.add(e.item());
                    assertTrue(put.add(e.item()), "item put twice" + where);
                    m.grantGetters();
                }
                case "tryPutNo" -> assertTrue(m.live(m.putWaiting) > 0 || !m.hasRoom(), "tryPut should succeed" + where);
                case "putGaveUp" -> {
                    m.doomed.remove(t);
                    if (!m.putWaiting.remove(t)) {
                        assertTrue(universal && m.putGranted.remove(t), "putter gave up a granted place" + where);
                        m.grantPutters();
                    }
                }
                case "getReq" -> {
                    if (m.live(m.getWaiting) == 0 && m.store.size() > m.getGranted.size()) {
                        m.getNow.add(t);
                    } else {
                        m.getWaiting.add(t);
                        if (doomedWait[i]) {
                            m.doomed.add(t);
                        }
                    }
                }
                case "got", "tryGetOk" -> {
                    if (e.what().equals("tryGetOk")) {
                        assertTrue(m.live(m.getWaiting) == 0 && m.store.size() > m.getGranted.size(),
                                "tryGet should fail" + where);
                    } else {
                        assertTrue(m.getNow.remove(t) || m.getGranted.remove(t), "got without an item" + where);
                    }
                    Integer expected = m.store.poll();
                    assertEquals(expected, e.item(), "wrong item" + where);
                    assertTrue(got.add(e.item()), "item got twice" + where);
                    if (kind != TestQueue.Kind.LIFO && kind != TestQueue.Kind.PRIORITY) {
                        Integer last = lastGotFrom.put(e.item() / 1000, e.item());
                        assertTrue(last == null || last < e.item(), "producer order broken" + where);
                    }
                    m.grantPutters();
                }
                case "tryGetNo" -> assertTrue(m.live(m.getWaiting) > 0 || m.store.size() <= m.getGranted.size(),
                        "tryGet should succeed" + where);
                case "getGaveUp" -> {
                    m.doomed.remove(t);
                    if (!m.getWaiting.remove(t)) {
                        assertTrue(universal && m.getGranted.remove(t), "getter gave up a reserved item" + where);
                        m.grantGetters();
                    }
                }
                default -> fail("unknown event" + where);
            }
        }
        List<Integer> expectedLeft = new ArrayList<>();
        while (!m.store.isEmpty()) {
            expectedLeft.add(m.store.poll());
        }
        assertEquals(expectedLeft, left, "items left in the queue; " + describe());
        Set<Integer> all = new HashSet<>(got);
        all.addAll(left);
        assertEquals(put, all, "lost or invented items; " + describe());
        assertEquals(put.size(), got.size() + left.size(), "duplicated items; " + describe());
    }

    /** The model's state: the items, and who waits, was granted or is served at once. */
    private final class Model {
        final java.util.Queue<Integer> store;
        final ArrayDeque<Integer> getWaiting = new ArrayDeque<>();
        final ArrayDeque<Integer> putWaiting = new ArrayDeque<>();
        final Set<Integer> getGranted = new HashSet<>();
        final Set<Integer> putGranted = new HashSet<>();
        final Set<Integer> getNow = new HashSet<>();
        final Set<Integer> putNow = new HashSet<>();
        final Set<Integer> doomed = new HashSet<>();     // waiting, but their wait ends in a give-up

        Model(java.util.Queue<Integer> store) {
            this.store = store;
        }

        int live(ArrayDeque<Integer> waiting) {
            int n = 0;
            for (int t : waiting) {
                if (!doomed.contains(t)) {
                    n++;
                }
            }
            return n;
        }

        boolean hasRoom() {
            return maxsize == 0 || store.size() + putGranted.size() < maxsize;
        }

        private boolean grantFirstLive(ArrayDeque<Integer> waiting, Set<Integer> granted) {
            for (var it = waiting.iterator(); it.hasNext(); ) {
                int t = it.next();
                if (!doomed.contains(t)) {
                    it.remove();
                    granted.add(t);
                    return true;
                }
            }
            return false;
        }

        void grantGetters() {
            while (store.size() > getGranted.size() && grantFirstLive(getWaiting, getGranted)) {
                // granted one
            }
        }

        void grantPutters() {
            while (maxsize > 0 && store.size() + putGranted.size() < maxsize && grantFirstLive(putWaiting, putGranted)) {
                // granted one
            }
        }
    }
}
