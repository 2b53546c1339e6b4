package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * R20: a fan-out tree of 100,000 leaf tasks (10 children per node, depth 5; the root's fan-out is
 * multiplied by {@code -Dcurio.stress}). Each node runs its children in a task group and sums their
 * results; leaf {@code i} sleeps {@code i % 10} virtual seconds and returns {@code i}. The whole tree
 * is alive at once, since every leaf sleeps.
 */
class FanOutProperties {
    private static final int STRESS = Math.max(1, Integer.getInteger("curio.stress", 1));
    private static final int BRANCH = 10;
    private static final int DEPTH = 5;
    private static final long LEAVES = (long) STRESS * 100_000;
    private static final Duration LIMIT = Watchdog.scaled(Duration.ofSeconds(120));

    /** Counts kept by the tree's tasks (one kernel: they never run at the same time). */
    private static final class Counts {
        long spawned;
        long ended;
        long leavesStarted;
        long leavesCompleted;
        long leavesCancelled;

        @Override
        public String toString() {
            return "Counts[spawned=" + spawned + ", ended=" + ended + ", leavesStarted=" + leavesStarted
                    + ", leavesCompleted=" + leavesCompleted + ", leavesCancelled=" + leavesCancelled + "]";
        }
    }

    /** Every leaf's value reaches the root exactly once: the sum is 0 + 1 + ... + (leaves - 1). */
    @Test
    @Timeout(value = 1, unit = TimeUnit.HOURS)     // the watchdog enforces the stress-scaled limit
    void sumsExactly() throws Exception {
        Counts counts = new Counts();
        VirtualClock clock = VirtualClock.create();
        Kernel kernel = Kernel.builder().clock(clock).build();
        var outcome = Watchdog.runKernel(kernel, LIMIT, counts::toString, () -> node(counts, 0, 0, LEAVES));
        assertEquals(LEAVES * (LEAVES - 1) / 2, outcome.result());
        assertEquals(LEAVES, counts.leavesCompleted);
        assertEquals(counts.spawned, counts.ended, counts::toString);
        assertEquals(Duration.ofSeconds(9), clock.elapsed());
        assertEquals(List.of(), outcome.tasksAfterRun());
        assertTrue(outcome.ledger().isEmpty(), outcome.ledger()::toString);
    }

    /**
     * Cancelling the root half-way through terminates every task of the tree before cancel() returns:
     * every leaf that started either completed or was cancelled, and nothing is left in the kernel.
     */
    @Test
    @Timeout(value = 1, unit = TimeUnit.HOURS)     // the watchdog enforces the stress-scaled limit
    void cancellingRootTerminatesAll() throws Exception {
        Counts counts = new Counts();
        Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build();
        var outcome = Watchdog.runKernel(kernel, LIMIT, counts::toString, () -> {
            Task<Long> root = Curio.spawn(() -> node(counts, 0, 0, LEAVES));
            Timeouts.sleep(Duration.ofMillis(5_500));
            long completedBefore = counts.leavesCompleted;
            root.cancel();
            assertTrue(root.isTerminated(), "root terminated when cancel() returned");
            assertEquals(counts.spawned, counts.ended, () -> "every task ended before cancel() returned: " + counts);
            assertEquals(completedBefore, counts.leavesCompleted, "no leaf completed after the cancel");
            return Curio.kernel().tasks().size();
        });
        assertEquals(1, outcome.result(), "only the main task was alive after the cancel");
        assertEquals(LEAVES, counts.leavesStarted, counts::toString);
        assertEquals(LEAVES * 6 / 10, counts.leavesCompleted, counts::toString);   // i % 10 <= 5 had finished
        assertEquals(counts.leavesStarted, counts.leavesCompleted + counts.leavesCancelled, counts::toString);
        assertEquals(List.of(), outcome.tasksAfterRun());
        assertTrue(outcome.ledger().isEmpty(), outcome.ledger()::toString);
    }

    /** Runs the subtree whose leaves are {@code first} .. {@code first + width - 1}; returns their sum. */
    private static long node(Counts counts, int level, long first, long width) throws CancelledException {
        if (level == DEPTH) {
            return leaf(counts, first);
        }
        int branch = level == 0 ? BRANCH * STRESS : BRANCH;
        long step = width / branch;
        try (TaskGroup<Object> group = TaskGroup.open()) {
            for (int i = 0; i < branch; i++) {
                long childFirst = first + i * step;
                counts.spawned++;
                group.spawn(() -> {
                    try {
                        return node(counts, level + 1, childFirst, step);
                    } finally {
                        counts.ended++;
                    }
                });
            }
            group.join();
            long sum = 0;
            for (Object r : group.results()) {
                sum += (Long) r;
            }
            return sum;
        }
    }

    private static long leaf(Counts counts, long index) throws CancelledException {
        counts.leavesStarted++;
        try {
            Timeouts.sleep(Duration.ofSeconds(index % 10));
        } catch (TaskCancelledException e) {
            counts.leavesCancelled++;
            throw e;
        }
        counts.leavesCompleted++;
        return index;
    }
}
