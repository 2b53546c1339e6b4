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
         * @param kernel the kernel the waiter belongs to
         * @return an action that removes the waiter again if it is still queued
         * @throws IllegalArgumentException if tasks of another kernel are parked on the queue
         */
        Runnable park(WaitQueue queue, Object waiter, Object kernel);

        /**
         * Removes up to {@code n} waiters, oldest first, passing each to {@code sink}.
         *
         * @param queue  the queue
         * @param n      the most waiters to remove
         * @param kernel the kernel of the task that wakes them
         * @param sink   receives each removed waiter
         * @return how many were removed
         * @throws IllegalArgumentException if tasks of another kernel are parked on the queue
         */
        int wake(WaitQueue queue, int n, Object kernel, Consumer<Object> sink);

        /**
         * Makes a barrier that belongs to {@code kernel} for good, even while empty.
         *
         * @param kernel the owning kernel
         * @return the queue
         */
        WaitQueue pinnedBarrier(Object kernel);
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
     * @param kernel the kernel the waiter belongs to; while waiters are parked, only it may use the queue
     * @return an action that removes the waiter again if it is still queued
     * @throws IllegalArgumentException if tasks of another kernel are parked on the queue
     */
    public static Runnable park(WaitQueue queue, Object waiter, Object kernel) {
        return access.park(queue, waiter, kernel);
    }

    /**
     * Wakes up to {@code n} waiters of {@code queue}, oldest first.
     *
     * @param queue  the queue
     * @param n      the most waiters to wake
     * @param kernel the kernel of the task that wakes them
     * @param sink   receives each woken waiter
     * @return how many were woken
     * @throws IllegalArgumentException if tasks of another kernel are parked on the queue
     */
    public static int wake(WaitQueue queue, int n, Object kernel, Consumer<Object> sink) {
        return access.wake(queue, n, kernel, sink);
    }

    /**
     * Makes a barrier that belongs to {@code kernel} for good: parking or waking from another kernel
     * fails even while it is empty. A task's join queue is one.
     *
     * @param kernel the owning kernel
     * @return the queue
     */
    public static WaitQueue pinnedBarrier(Object kernel) {
        if (access == null) {
            WaitQueue.barrier();                     // initializes WaitQueue, which installs the access
        }
        return access.pinnedBarrier(kernel);
    }
}
