package org.curio.kernel.internal.monitor;

import java.util.List;

/**
 * What a kernel looked like at one moment.
 *
 * @param kernelId the kernel's short id
 * @param backend  the backend's name
 * @param exact    whether the kernel took it itself (otherwise it was read from another thread while
 *                 the kernel was busy or between runs, and may be slightly stale)
 * @param note     why it is not exact, or empty
 * @param tasks    the tasks, oldest first (at most {@link KernelInspector#MAX_LISTED})
 * @param stats    the counters
 */
record Snapshot(int kernelId, String backend, boolean exact, String note, List<TaskInfo> tasks, Stats stats) {
    /**
     * The kernel's counters.
     *
     * @param tasks         live tasks
     * @param ready         tasks ready to run
     * @param timers        armed timers (sleeps and timeouts)
     * @param registrations descriptors registered for readiness
     * @param handOffs      hand-offs from other threads waiting for the next turn
     * @param futureWaits   tasks waiting for a future
     * @param cycles        task runs counted since the kernel was built (with a console), or the sum
     *                      over live tasks
     */
    record Stats(int tasks, int ready, int timers, int registrations, int handOffs, int futureWaits, long cycles) {}
}
