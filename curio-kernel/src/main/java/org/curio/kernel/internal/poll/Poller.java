package org.curio.kernel.internal.poll;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * Waits for readiness of registered file descriptors and for wake-ups from other threads.
 * After Trio's {@code IOManager} and Netty's {@code IoHandler}. Only the kernel thread calls
 * {@link #register}, {@link #poll} and {@link #close}; {@link #wakeup} may be called from any thread.
 */
public interface Poller extends AutoCloseable {

    /** Receives readiness, on the kernel thread, during {@link #poll}. */
    @FunctionalInterface
    interface Listener {
        /**
         * Reports an edge with every event seen: {@link org.curio.traps.Readiness} bits. A hang-up or
         * an error wakes both directions, so it comes with {@code READABLE} and {@code WRITABLE} set;
         * a read-side hang-up comes with {@code READABLE}.
         *
         * @param events the events, as {@link org.curio.traps.Readiness} bits
         */
        void ready(int events);
    }

    /** A registered descriptor. */
    interface Registration {
        /** Removes the descriptor from the poller; safe to call twice. */
        void cancel();
    }

    /**
     * Registers {@code fd} once, edge-triggered, for both directions.
     *
     * @param fd       the descriptor
     * @param listener told of every edge
     * @return the registration
     * @throws IOException if the descriptor cannot be polled (a regular file, a closed descriptor)
     */
    Registration register(int fd, Listener listener) throws IOException;

    /**
     * Waits for readiness or a wake-up, reporting edges to their listeners. Never blocks while the
     * bound pending-work test is true, checked after the poller has published that it is about to
     * block, so a hand-off made just before the wait is never missed.
     *
     * @param timeoutNanos 0 to look without waiting, -1 to wait without limit
     * @return how many edges were reported
     */
    int poll(long timeoutNanos);

    /** Interrupts a {@link #poll} in progress, or makes the next one return at once. Any thread. */
    void wakeup();

    /**
     * Binds the poller to its kernel.
     *
     * @param ownsCurrentThread tells whether the calling thread is the kernel's (or one of its running
     *                          tasks), on which {@link #wakeup()} need not signal
     * @param hasPendingWork    tells whether other threads have handed the kernel work; any thread
     */
    void bind(BooleanSupplier ownsCurrentThread, BooleanSupplier hasPendingWork);

    @Override
    void close();
}
