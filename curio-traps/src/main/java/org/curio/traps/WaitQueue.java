package org.curio.traps;

import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * A queue of tasks parked by {@link Trap.SchedWait} and released by {@link Trap.SchedWake}: the
 * building block of every synchronization primitive. Curio: {@code SchedFIFO} and
 * {@code SchedBarrier}.
 *
 * <p>Both kinds release tasks in arrival order, so programs are deterministic; they differ in what
 * they are for: a {@linkplain #fifo() FIFO} usually releases one task at a time (locks, queues), a
 * {@linkplain #barrier() barrier} usually releases everyone (events, joins). A parked task that is
 * cancelled leaves the queue before its {@link CancelledException} is thrown.
 *
 * <p><b>Thread safety.</b> A wait queue belongs to the tasks of one kernel and is changed only by
 * that kernel; {@link #size()} may be read from any task of it. While tasks are parked on it, the
 * queue belongs to their kernel: a task of another kernel that tries to park on it or wake it fails
 * at the trap with an {@link IllegalArgumentException}. An empty queue may be used by any kernel.
 */
public final class WaitQueue {
    /*
     * Implementation notes. An intrusive doubly linked list: parking appends a node and gives the
     * kernel a handle that unlinks it in O(1) when the wait is abandoned; waking pops from the head.
     * Only the kernel calls park/wake, through org.curio.traps.spi.WaitQueues.
     */
    private final boolean barrier;
    private @Nullable Object owner;                       // kernel only: the kernel of the parked tasks
    private final boolean pinned;                         // owner fixed for good (a task's join queue)
    private @Nullable Node head;                          // kernel only
    private @Nullable Node tail;                          // kernel only
    private int size;                                     // kernel only

    private WaitQueue(boolean barrier, @Nullable Object owner) {
        this.barrier = barrier;
        this.owner = owner;
        this.pinned = owner != null;
    }

    /** {@return a new queue that releases tasks one at a time, oldest first} */
    public static WaitQueue fifo() {
        return new WaitQueue(false, null);
    }

    /** {@return a new queue that releases all its tasks at once, in arrival order} */
    public static WaitQueue barrier() {
        return new WaitQueue(true, null);
    }

    /** {@return how many tasks are parked} */
    public int size() {
        return size;
    }

    /** {@return whether no task is parked} */
    public boolean isEmpty() {
        return size == 0;
    }

    /** {@return whether this queue is a barrier} */
    public boolean isBarrier() {
        return barrier;
    }

    @Override
    public String toString() {
        return (barrier ? "WaitQueue.barrier" : "WaitQueue.fifo") + "[waiting=" + size + "]";
    }

    /** A parked waiter; {@link #remove()} unlinks it if it is still queued. */
    static final class Node implements Runnable {
        private final WaitQueue queue;
        final Object waiter;
        @Nullable Node prev;
        @Nullable Node next;
        boolean linked = true;

        Node(WaitQueue queue, Object waiter) {
            this.queue = queue;
            this.waiter = waiter;
        }

        @Override
        public void run() {
            queue.unlink(this);
        }
    }

    Runnable park(Object waiter, Object kernel) {
        if (owner == null) {
            owner = kernel;
        } else if (owner != kernel) {
            throw foreign(kernel);
        }
        Node node = new Node(this, waiter);
        node.prev = tail;
        if (tail == null) {
            head = node;
        } else {
            tail.next = node;
        }
        tail = node;
        size++;
        return node;
    }

    int wake(int n, Object kernel, Consumer<Object> sink) {
        if (owner != null && owner != kernel && (pinned || head != null)) {
            throw foreign(kernel);
        }
        int woken = 0;
        while (woken < n && head != null) {
            Node node = head;
            unlink(node);
            sink.accept(node.waiter);
            woken++;
        }
        return woken;
    }

    private void unlink(Node node) {
        if (!node.linked) {
            return;
        }
        node.linked = false;
        if (node.prev == null) {
            head = node.next;
        } else {
            node.prev.next = node.next;
        }
        if (node.next == null) {
            tail = node.prev;
        } else {
            node.next.prev = node.prev;
        }
        node.prev = null;
        node.next = null;
        size--;
        if (size == 0 && !pinned) {
            owner = null;
        }
    }

    private IllegalArgumentException foreign(Object kernel) {
        return new IllegalArgumentException(this + " belongs to " + owner + ", not to the calling task's " + kernel
                + "; a wait queue, like the primitive built on it, serves the tasks of one kernel at a time"
                + " (use a universal primitive to cross kernels)");
    }

    static {
        org.curio.traps.spi.WaitQueues.install(new org.curio.traps.spi.WaitQueues.Access() {
            @Override
            public Runnable park(WaitQueue queue, Object waiter, Object kernel) {
                return queue.park(waiter, kernel);
            }

            @Override
            public int wake(WaitQueue queue, int n, Object kernel, Consumer<Object> sink) {
                return queue.wake(n, kernel, sink);
            }

            @Override
            public WaitQueue pinnedBarrier(Object kernel) {
                return new WaitQueue(true, kernel);
            }
        });
    }
}
