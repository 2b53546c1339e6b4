package org.curio.kernel.internal.poll;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A poller for platforms without native epoll: it sleeps until its timeout or a wake-up, and cannot
 * wait for file descriptors (timers, tasks and hand-offs from threads still work).
 */
final class ParkingPoller implements Poller {
    private final AtomicBoolean woken = new AtomicBoolean();
    private volatile Thread waiter;
    private volatile BooleanSupplier hasPendingWork = () -> false;

    @Override
    public Registration register(int fd, Listener listener) throws IOException {
        throw new IOException("readiness waiting needs Netty's native epoll, which is not available here");
    }

    @Override
    public int poll(long timeoutNanos) {
        if (timeoutNanos == 0 || woken.getAndSet(false) || hasPendingWork.getAsBoolean()) {
            return 0;
        }
        waiter = Thread.currentThread();
        long deadline = System.nanoTime() + timeoutNanos;
        while (!woken.getAndSet(false)) {
            if (timeoutNanos < 0) {
                LockSupport.park(this);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                LockSupport.parkNanos(this, left);
            }
        }
        waiter = null;
        return 0;
    }

    @Override
    public void wakeup() {
        woken.set(true);
        LockSupport.unpark(waiter);
    }

    @Override
    public void bind(BooleanSupplier ownsCurrentThread, BooleanSupplier pending) {
        hasPendingWork = pending;                       // wake-ups always signal, from any thread
    }

    @Override
    public void close() {
        // Nothing to release.
    }
}
