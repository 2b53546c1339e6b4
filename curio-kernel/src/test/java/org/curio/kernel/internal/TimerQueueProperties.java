package org.curio.kernel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the kernel's timer heap, checked against a trivial model: a map from entry to
 * (deadline, arming number), expired by sorting.
 */
class TimerQueueProperties {
    /*
     * Entries are created without a task: the queue never looks at Entry.task (only the kernel's
     * expiry callback does), so a heap of task-less entries exercises exactly the queue's own code.
     * No main-code change was needed to build them.
     */

    /** One step of a random workload. */
    sealed interface Op {
        /** Arms entry {@code entry} (re-arms it if armed) at {@code deadline}. */
        record Arm(int entry, long deadline) implements Op {}

        /**
         * Disarms entry {@code entry} (a no-op if it is not armed), with {@code remove} or by running
         * the entry as the cancel function it is ({@code asCancelFunction}).
         */
        record Remove(int entry, boolean asCancelFunction) implements Op {}

        /** Expires everything due at {@code now}. */
        record Expire(long now) implements Op {}
    }

    /** The model: armed entries with the deadline and arming number they were last armed with. */
    private static final class Model {
        private final Map<TimerQueue.Entry, long[]> armed = new LinkedHashMap<>();
        private long seq;

        void arm(TimerQueue.Entry e, long deadline) {
            armed.put(e, new long[] {deadline, seq++});
        }

        void remove(TimerQueue.Entry e) {
            armed.remove(e);
        }

        /** {@return the entries due at {@code now}, in (deadline, arming) order} */
        List<TimerQueue.Entry> expireOrder(long now) {
            List<TimerQueue.Entry> due = new ArrayList<>();
            for (Map.Entry<TimerQueue.Entry, long[]> m : armed.entrySet()) {
                if (m.getValue()[0] <= now) {
                    due.add(m.getKey());
                }
            }
            due.sort(Comparator.<TimerQueue.Entry>comparingLong(e -> armed.get(e)[0])
                    .thenComparingLong(e -> armed.get(e)[1]));
            return due;
        }

        /** Removes and returns the entries due at {@code now}, in (deadline, arming) order. */
        List<TimerQueue.Entry> expire(long now) {
            List<TimerQueue.Entry> due = expireOrder(now);
            due.forEach(armed::remove);
            return due;
        }

        long nextDeadline() {
            return armed.values().stream().mapToLong(v -> v[0]).min().orElse(Long.MAX_VALUE);
        }

        long deadline(TimerQueue.Entry e) {
            return armed.get(e)[0];
        }
    }

    private static List<TimerQueue.Entry> entries(TimerQueue queue, int n) {
        List<TimerQueue.Entry> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new TimerQueue.Entry(queue, null, i % 2 == 0));
        }
        return list;
    }

    /** Entries armed once each expire in (deadline, arming order), each exactly once, none early. */
    @Property
    void expiresInDeadlineThenArmingOrder(
            @ForAll @Size(max = 200) List<@LongRange(min = -20, max = 20) Long> deadlines,
            @ForAll @Size(max = 10) List<@LongRange(min = -25, max = 25) Long> nows) {
        TimerQueue queue = new TimerQueue();
        List<TimerQueue.Entry> entries = entries(queue, deadlines.size());
        Model model = new Model();
        for (int i = 0; i < entries.size(); i++) {
            queue.arm(entries.get(i), deadlines.get(i));
            model.arm(entries.get(i), deadlines.get(i));
        }
        List<Long> times = new ArrayList<>(nows);
        times.add(Long.MAX_VALUE - 1);
        for (long now : times) {
            List<TimerQueue.Entry> fired = new ArrayList<>();
            queue.expire(now, e -> {
                assertFalse(e.armed(), "an entry is disarmed before it is handed out");
                fired.add(e);
            });
            List<TimerQueue.Entry> expected = model.expire(now);
            assertEquals(names(entries, expected), names(entries, fired), "expired at " + now);
            for (TimerQueue.Entry e : fired) {
                assertTrue(e.deadline <= now, "entry expired before its deadline");
            }
            assertEquals(model.armed.size(), queue.size());
        }
        assertEquals(0, queue.size());
        assertNull(queue.peek());
        assertEquals(Long.MAX_VALUE, queue.nextDeadline());
    }

    /**
     * Under any mix of arm, re-arm, remove and expire, the queue agrees with the model after every
     * step: same size, same next deadline, same armed flags, and the same entries fired in the same
     * order; a removed or re-armed entry never fires at an old deadline.
     */
    @Property
    void agreesWithModelUnderRandomWorkload(@ForAll("workloads") List<Op> ops,
                                            @ForAll @IntRange(min = 1, max = 12) int entryCount) {
        TimerQueue queue = new TimerQueue();
        List<TimerQueue.Entry> entries = entries(queue, entryCount);
        Model model = new Model();
        for (Op op : ops) {
            switch (op) {
                case Op.Arm(int i, long deadline) -> {
                    TimerQueue.Entry e = entries.get(i % entryCount);
                    queue.arm(e, deadline);
                    model.arm(e, deadline);
                }
                case Op.Remove(int i, boolean asCancelFunction) -> {
                    TimerQueue.Entry e = entries.get(i % entryCount);
                    if (asCancelFunction) {
                        e.run();
                    } else {
                        queue.remove(e);
                    }
                    model.remove(e);
                }
                case Op.Expire(long now) -> {
                    List<TimerQueue.Entry> fired = new ArrayList<>();
                    List<Long> firedAt = new ArrayList<>();
                    queue.expire(now, e -> {
                        fired.add(e);
                        firedAt.add(e.deadline);
                    });
                    List<Long> expectedAt = new ArrayList<>();
                    for (TimerQueue.Entry e : model.expireOrder(now)) {
                        expectedAt.add(model.deadline(e));
                    }
                    List<TimerQueue.Entry> expected = model.expire(now);
                    assertEquals(names(entries, expected), names(entries, fired),
                            () -> "expired at " + now + " after " + ops);
                    assertEquals(expectedAt, firedAt, "each entry fires at the deadline it was last armed with");
                }
            }
            check(queue, model, entries);
        }
    }

    private static void check(TimerQueue queue, Model model, List<TimerQueue.Entry> entries) {
        assertEquals(model.armed.size(), queue.size(), "size");
        assertEquals(model.nextDeadline(), queue.nextDeadline(), "next deadline");
        for (TimerQueue.Entry e : entries) {
            assertEquals(model.armed.containsKey(e), e.armed(), "armed flag of entry " + entries.indexOf(e));
            if (e.armed()) {
                assertEquals(model.deadline(e), e.deadline, "deadline of entry " + entries.indexOf(e));
            }
        }
        TimerQueue.Entry head = queue.peek();
        if (model.armed.isEmpty()) {
            assertNull(head);
        } else {
            long min = model.nextDeadline();
            TimerQueue.Entry first = model.armed.entrySet().stream()
                    .filter(m -> m.getValue()[0] == min)
                    .min(Comparator.comparingLong(m -> m.getValue()[1]))
                    .orElseThrow().getKey();
            assertSame(first, head, "head is the earliest deadline, earliest armed");
        }
    }

    /** Removing every entry, in any order, empties the queue and disarms every entry; removing twice is harmless. */
    @Property
    void removeEveryEntryEmptiesTheQueue(
            @ForAll @Size(max = 100) List<@LongRange(min = 0, max = 10) Long> deadlines,
            @ForAll long shuffleSeed) {
        TimerQueue queue = new TimerQueue();
        List<TimerQueue.Entry> entries = entries(queue, deadlines.size());
        for (int i = 0; i < entries.size(); i++) {
            queue.arm(entries.get(i), deadlines.get(i));
        }
        List<TimerQueue.Entry> order = new ArrayList<>(entries);
        Collections.shuffle(order, new Random(shuffleSeed));
        int expectedSize = entries.size();
        for (TimerQueue.Entry e : order) {
            queue.remove(e);
            e.run();                                       // the entry as a cancel function: now a no-op
            expectedSize--;
            assertFalse(e.armed());
            assertEquals(expectedSize, queue.size());
        }
        List<TimerQueue.Entry> fired = new ArrayList<>();
        queue.expire(Long.MAX_VALUE, fired::add);
        assertEquals(List.of(), fired);
    }

    @Provide
    Arbitrary<List<Op>> workloads() {
        Arbitrary<Integer> entry = Arbitraries.integers().between(0, 11);
        Arbitrary<Long> time = Arbitraries.longs().between(0, 30);
        Arbitrary<Op> arm = Combinators.combine(entry, time).as(Op.Arm::new);
        Arbitrary<Op> remove = Combinators.combine(entry, Arbitraries.of(false, true)).as(Op.Remove::new);
        Arbitrary<Op> expire = time.map(Op.Expire::new);
        return Arbitraries.frequencyOf(
                Tuple.of(6, arm),
                Tuple.of(3, remove),
                Tuple.of(2, expire)).list().ofMaxSize(120);
    }

    private static List<Integer> names(List<TimerQueue.Entry> all, List<TimerQueue.Entry> some) {
        List<Integer> names = new ArrayList<>();
        for (TimerQueue.Entry e : some) {
            names.add(all.indexOf(e));
        }
        return names;
    }
}
