package org.curio.kernel.internal.poll;

import java.io.IOException;
import java.util.function.BooleanSupplier;

import io.netty.channel.IoEvent;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.IoHandler;
import io.netty.util.concurrent.ThreadAwareExecutor;
import org.curio.traps.Readiness;

/**
 * Readiness from Netty 4.2's native epoll, through its public {@code IoHandler} API: the kernel
 * thread drives {@link EpollIoHandler#run} itself. Each descriptor is added once with
 * {@code EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI | EPOLLET}; nothing is modified per wait.
 */
final class EpollPoller implements Poller {
    private static final int IN = 0x001;
    private static final int PRI = 0x002;
    private static final int OUT = 0x004;
    private static final int ERR = 0x008;
    private static final int HUP = 0x010;
    private static final int RDHUP = 0x2000;
    // Discussion: EPOLLPRI is watched only so that a wake can say "urgent data pending" (a TCP read
    // then stops short at the urgent mark with data behind it); Netty names no constant for it.
    private static final EpollIoOps INTEREST = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT)
            .with(EpollIoOps.EPOLLRDHUP).with(EpollIoOps.EPOLLET).with(EpollIoOps.valueOf(PRI));

    private final IoHandler handler;
    private final Context context = new Context();
    private volatile BooleanSupplier ownsCurrentThread = () -> false;
    private volatile BooleanSupplier hasPendingWork = () -> false;

    EpollPoller() {
        handler = EpollIoHandler.newFactory().newHandler(new ThreadAwareExecutor() {
            @Override
            public boolean isExecutorThread(Thread thread) {
                return thread == Thread.currentThread() && ownsCurrentThread.getAsBoolean();
            }

            @Override
            public void execute(Runnable command) {
                // Netty defers work here only from foreign threads; our registrations are changed on
                // the kernel's own thread, so this runs at once.
                command.run();
            }
        });
        handler.initialize();
    }

    @Override
    public void bind(BooleanSupplier owns, BooleanSupplier pending) {
        ownsCurrentThread = owns;
        hasPendingWork = pending;
    }

    @Override
    public Registration register(int fd, Listener listener) throws IOException {
        Handle handle = new Handle(new FileDescriptor(fd), listener);
        IoRegistration registration;
        try {
            registration = handler.register(handle);
        } catch (Exception e) {
            throw new IOException("cannot register fd " + fd + " with epoll", e);
        }
        try {
            registration.submit(INTEREST);
        } catch (RuntimeException e) {
            registration.cancel();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException("epoll cannot watch fd " + fd + ": " + cause.getMessage(), cause);
        }
        return registration::cancel;
    }

    @Override
    public int poll(long timeoutNanos) {
        context.timeoutNanos = timeoutNanos;
        context.deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : -1L;
        return handler.run(context);
    }

    @Override
    public void wakeup() {
        handler.wakeup();
    }

    @Override
    public void close() {
        handler.prepareToDestroy();
        handler.destroy();
    }

    /** Tells Netty how long it may block. */
    private final class Context implements IoHandlerContext {
        long timeoutNanos;
        long deadline;

        // Discussion: Netty asks this again after it has marked itself as about to block, and its
        // wakeup() writes the eventfd only when that mark is set; checking the hand-off queue here
        // closes the window in which a hand-off would otherwise find the poller "awake" and signal
        // nothing, just before it blocks.
        @Override
        public boolean canBlock() {
            return timeoutNanos != 0 && !hasPendingWork.getAsBoolean();
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return deadline == -1L ? Long.MAX_VALUE : Math.max(0, deadline - currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return deadline;
        }
    }

    /** One registered descriptor; Netty calls {@link #handle} during {@code run}. */
    private record Handle(FileDescriptor fd, Listener listener) implements EpollIoHandle {
        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            listener.ready(events(((EpollIoEvent) event).ops().value()));
        }

        /** Translates epoll's bits into readiness bits; an error or hang-up makes both directions ready. */
        static int events(int ops) {
            int events = 0;
            if ((ops & (IN | PRI | ERR | HUP | RDHUP)) != 0) {
                events |= Readiness.READABLE;
            }
            if ((ops & (OUT | ERR | HUP)) != 0) {
                events |= Readiness.WRITABLE;
            }
            if ((ops & RDHUP) != 0) {
                events |= Readiness.READ_HANGUP;
            }
            if ((ops & HUP) != 0) {
                events |= Readiness.HANGUP;
            }
            if ((ops & ERR) != 0) {
                events |= Readiness.ERROR;
            }
            if ((ops & PRI) != 0) {
                events |= Readiness.PRIORITY;
            }
            return events;
        }

        @Override
        public void close() {
            // The descriptor belongs to its owner (a socket, a pipe); the kernel never closes it.
        }
    }
}
