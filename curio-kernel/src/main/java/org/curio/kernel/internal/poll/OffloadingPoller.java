package org.curio.kernel.internal.poll;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

/**
 * A poller for a kernel whose loop runs on virtual threads (on the virtual-thread backend, the thread
 * of whichever task runs the loop's next step): waits that may block are carried out on a platform
 * thread of the kernel's own, while the calling virtual thread parks.
 *
 * <p>A virtual thread blocked in a native call ({@code epoll_wait}) holds its carrier, so a few idle
 * kernels would starve every other virtual thread of the JVM, including other kernels' tasks. Looks
 * without waiting ({@code timeout 0}) stay on the calling thread, and so does the first 100 µs of a
 * wait (property {@code org.curio.inlinePollNanos}): a busy kernel's next edge usually comes sooner.
 * Only a kernel that is really going idle pays the two hand-offs to the poller thread and back.
 */
final class OffloadingPoller implements Poller {
    /*
     * Implementation notes. One request at a time, from the kernel's loop (whichever thread holds
     * the baton, which stays with it until the wait is over): the loop writes the
     * timeout, sets `state` to REQUESTED and parks; the poller thread runs the wait, sets DONE and
     * unparks it. The volatile `state` orders everything either side did before handing over, so the
     * edges the wait reports (which change kernel state) are seen by the loop. The loop is parked
     * while the wait runs, so kernel state still has one user at a time.
     */
    private static final int IDLE = 0;
    private static final int REQUESTED = 1;
    private static final int DONE = 2;
    private static final long INLINE_NANOS = Long.getLong("org.curio.inlinePollNanos", 100_000L);

    private final Poller delegate;
    private volatile int state = IDLE;
    private volatile boolean closed;
    private long timeoutNanos;                            // written by the loop before REQUESTED
    private int result;                                   // written by the poller thread before DONE
    private @Nullable RuntimeException failure;           // likewise
    private volatile @Nullable Thread requester;
    private @Nullable Thread thread;                      // loop only

    OffloadingPoller(Poller delegate) {
        this.delegate = delegate;
    }

    @Override
    public Registration register(int fd, Listener listener) throws IOException {
        return delegate.register(fd, listener);
    }

    @Override
    public int poll(long timeout) {
        if (timeout == 0 || !Thread.currentThread().isVirtual()) {
            return delegate.poll(timeout);
        }
        // A busy kernel's next edge usually comes within microseconds: wait that long on the calling
        // thread (pinning its carrier only briefly), and hand over only a wait that goes on longer.
        long inline = timeout < 0 ? INLINE_NANOS : Math.min(timeout, INLINE_NANOS);
        int seen = delegate.poll(inline);
        if (seen > 0 || inline == timeout) {
            return seen;
        }
        return offload(timeout < 0 ? timeout : timeout - inline);
    }

    private int offload(long timeout) {
        timeoutNanos = timeout;
        failure = null;
        requester = Thread.currentThread();
        state = REQUESTED;
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("curio-poller").start(this::serve);
        } else {
            LockSupport.unpark(thread);
        }
        while (state != DONE) {
            LockSupport.park(this);
        }
        state = IDLE;
        RuntimeException e = failure;
        if (e != null) {
            throw e;
        }
        return result;
    }

    private void serve() {
        while (true) {
            while (state != REQUESTED && !closed) {
                LockSupport.park(this);
            }
            if (closed) {
                return;
            }
            try {
                result = delegate.poll(timeoutNanos);
            } catch (RuntimeException e) {
                failure = e;
            }
            state = DONE;
            LockSupport.unpark(requester);
        }
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public void bind(BooleanSupplier ownsCurrentThread, BooleanSupplier hasPendingWork) {
        delegate.bind(ownsCurrentThread, hasPendingWork);
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        delegate.close();
    }
}
