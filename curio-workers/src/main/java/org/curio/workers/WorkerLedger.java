package org.curio.workers;

/**
 * What a kernel's worker pools hold now: live threads started by this module (pool threads and async
 * threads) and live worker processes. Both are zero once the kernel is closed.
 *
 * @param threads   live worker and async threads
 * @param processes live worker processes (started and not yet reaped)
 */
public record WorkerLedger(int threads, int processes) {
    /** {@return whether the pools hold nothing} */
    public boolean isEmpty() {
        return threads == 0 && processes == 0;
    }
}
