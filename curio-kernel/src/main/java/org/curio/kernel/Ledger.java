package org.curio.kernel;

/**
 * What a kernel is holding: tests assert it is {@linkplain #isEmpty() empty} after they finish (no
 * leaked task, timer, descriptor registration or future wait).
 *
 * @param tasks         live tasks (including daemons)
 * @param timers        armed timers (sleeps and timeouts)
 * @param registrations file descriptors registered for readiness
 * @param futureWaits   tasks waiting for a future
 */
public record Ledger(long tasks, long timers, long registrations, long futureWaits) {
    /** {@return whether the kernel holds nothing} */
    public boolean isEmpty() {
        return tasks == 0 && timers == 0 && registrations == 0 && futureWaits == 0;
    }
}
