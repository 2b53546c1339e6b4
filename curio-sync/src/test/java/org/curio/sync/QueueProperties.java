package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every queue kind against its model under random puts, gets, tries, timeouts, cancellations and
 * schedules (jqwik; the seed also shuffles tasks ready at the same instant), and queue conservation
 * R4: 10,000 get/put operations per kind, 0 lost, 0 duplicated, per-producer order kept (FIFO kinds),
 * each checked item by item against the model.
 */
class QueueProperties {
    /** The FIFO queue matches its model under random operations, timeouts and cancels. */
    @Property(tries = 200)
    void fifoMatchesModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
        new QueueScenario(seed, TestQueue.Kind.FIFO).runAndCheck();
    }

    /** The LIFO queue matches its model under random operations, timeouts and cancels. */
    @Property(tries = 200)
    void lifoMatchesModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
        new QueueScenario(seed, TestQueue.Kind.LIFO).runAndCheck();
    }

    /** The priority queue matches its model under random operations, timeouts and cancels. */
    @Property(tries = 200)
    void priorityMatchesModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
        new QueueScenario(seed, TestQueue.Kind.PRIORITY).runAndCheck();
    }

    /** The universal queue, used by tasks, matches its model under random operations, timeouts and cancels. */
    @Property(tries = 200)
    void universalMatchesModel(@ForAll @LongRange(min = 1) long seed) throws Exception {
        new QueueScenario(seed, TestQueue.Kind.UNIVERSAL).runAndCheck();
    }

    /** R4: 10,000 operations per queue kind under random cancellation: 0 lost, 0 duplicated, order kept. */
    @ParameterizedTest
    @EnumSource(TestQueue.Kind.class)
    @Timeout(120)
    void conservationR4(TestQueue.Kind kind) throws Exception {
        int target = 10_000 * SyncHarness.stress();
        int ops = 0;
        long start = System.nanoTime();
        int scenarios = 0;
        for (long seed = 1; ops < target; seed++, scenarios++) {
            ops += new QueueScenario(seed * 7919, kind).runAndCheck().operations;
        }
        System.out.printf("R4 %s: %d operations in %d scenarios, %.1f s%n", kind, ops, scenarios,
                (System.nanoTime() - start) / 1e9);
        assertTrue(ops >= target);
    }
}
