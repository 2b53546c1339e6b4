package org.curio.traps.spi;

import java.util.Objects;
import java.util.function.Consumer;

import org.curio.traps.WaitQueue;

/** The kernel's access to the internals of {@link WaitQueue}. */
public final class WaitQueues {
    private static volatile Access access;

    private WaitQueues() {}

    /** What {@link WaitQueue} offers the kernel. */
    public interface Access {
        /**
         * Appends {@code waiter} to {@code queue}.
         *
         * @param queue  the queue
         * @param waiter the kernel's task object
         * @return an action that removes the waiter again if it is still queued
         */
        Runnable park(WaitQueue queue, Object waiter);

        /**
         * Removes up to {@code n} waiters, oldest first, passing each to {@code sink}.
         *
         * @param queue the queue
         * @param n     the most waiters to remove
         * @param sink  receives each removed waiter
         * @return how many were removed
         */
        int wake(WaitQueue queue, int n, Consumer<Object> sink);
    }

    /**
     * Called once by {@link WaitQueue}'s initializer.
     *
     * @param impl the access
     */
    public static void install(Access impl) {
        access = Objects.requireNonNull(impl, "impl");
    }

    /**
     * Parks {@code waiter} on {@code queue}.
     *
     * @param queue  the queue
     * @param waiter the kernel's task object
     * @return an action that removes the waiter again if it is still queued
     */
    public static Runnable park(WaitQueue queue, Object waiter) {
        return access.park(queue, waiter);
    }

    /**
     * Wakes up to {@code n} waiters of {@code queue}, oldest first.
     *
     * @param queue the queue
     * @param n     the most waiters to wake
     * @param sink  receives each woken waiter
     * @return how many were woken
     */
    public static int wake(WaitQueue queue, int n, Consumer<Object> sink) {
        return access.wake(queue, n, sink);
    }
}
