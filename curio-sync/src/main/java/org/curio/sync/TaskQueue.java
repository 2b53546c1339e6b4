package org.curio.sync;

import java.util.Objects;
import java.util.Optional;

import org.curio.traps.CancelledException;
import org.curio.traps.Traps;
import org.curio.traps.WaitQueue;

/**
 * A queue of items between tasks of one kernel, bounded or not; the common type of {@link Queue}
 * (first in, first out), {@link LifoQueue} (last in, first out) and {@link PriorityQueue} (smallest
 * first).
 *
 * {@snippet :
 * var queue = new Queue<String>(10);           // at most 10 items; put() waits while full
 * Curio.spawn(() -> { queue.put("job"); });
 * String job = queue.get();                   // waits while empty
 * queue.taskDone();                           // join() returns when every item put is done
 * }
 *
 * <p><b>Fairness.</b> Getters are served in the order they asked, and so are putters. An item put
 * while getters wait is reserved for the longest waiting getter, and a place freed while putters wait
 * is reserved for the longest waiting putter: a task that asks later cannot take it first, even before
 * the woken task has run. The woken getter takes its item when it runs (so it gets the item that is
 * first in the queue's order at that moment), and the woken putter puts its item when it runs.
 * {@link #size()} counts the items in the queue, including those reserved for woken getters.
 *
 * <p><b>Cancellation.</b> {@code get}, {@code put} and {@code join} are cancellation points only when
 * they must wait, or when {@code get} or {@code put} first yields because the task's cooperative
 * budget is spent (see {@link org.curio.traps.Traps#consumeBudget()}): a producer or consumer that never
 * has to wait still lets other tasks run. A cancelled or timed-out {@code get} takes nothing and a cancelled or timed-out
 * {@code put} puts nothing: the queue is as if they had never waited. A getter or putter that was
 * woken (its item or place reserved) and is then cancelled before it runs completes its operation;
 * the cancellation arrives at its next blocking call. Nothing is ever lost or duplicated.
 *
 * <p><b>End of stream.</b> A producer ends the stream with {@link #close()}: later puts fail with
 * {@link IllegalStateException}, getters take what is left, and then every get, those waiting at the
 * close and those that come later, throws {@link EndOfQueueException}. A {@code null} item cannot
 * mark the end: items are never null.
 *
 * {@snippet :
 * Curio.spawn(() -> {
 *     for (String line : lines) {
 *         queue.put(line);
 *     }
 *     queue.close();                          // consumers drain the rest, then see the end
 * });
 * try {
 *     while (true) {
 *         handle(queue.get());
 *     }
 * } catch (EndOfQueueException end) {
 *     // every line was handled
 * }
 * }
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a task queue: any other caller gets an
 * {@link IllegalStateException}. To pass items between threads, kernels and tasks, use
 * {@link UniversalQueue}. The accessors may be read from anywhere, but are exact only from the owning
 * kernel's tasks.
 *
 * @param <E> the type of the items
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/queue.py">curio's queues</a>
 */
public abstract sealed class TaskQueue<E> permits Queue, LifoQueue, PriorityQueue {
    /*
     * Implementation notes. Curio's QueueBase with reservations. Getters and putters park on FIFO wait
     * queues. Putting an item while getters wait wakes as many getters as there are unreserved items
     * and counts them in grantedGets; a woken getter always resumes normally (the kernel's rule) and
     * takes the first item then. New getters may take only items beyond grantedGets, and only when no
     * getter waits. Places work the same way for putters with grantedPuts. A cancelled waiter was
     * never counted, so nothing needs undoing. Invariants: store size >= grantedGets, and
     * (bounded) store size + grantedPuts <= maxsize.
     *
     * close() wakes every parked getter and putter without reserving anything for them. A woken getter
     * cannot tell whether it was handed an item or woken by the close, and need not: nothing is put
     * after the close, so the getters that resume take the reserved items while grantedGets lasts, and
     * the rest see the end (every reserved item is taken, whichever getters take them). A putter that
     * resumes after the close puts nothing and gives back a reserved place while grantedPuts lasts.
     */
    private final int maxsize;                            // 0: unbounded
    private final String name;
    private final TaskWaiters getters;
    private final TaskWaiters putters;
    private final TaskWaiters joiners;
    private int grantedGets;                              // items reserved for woken getters
    private int grantedPuts;                              // places reserved for woken putters
    private int unfinished;                               // items put and not yet marked done
    private boolean closed;                               // close() was called: no more puts

    TaskQueue(int maxsize, String name) {
        if (maxsize < 0) {
            throw new IllegalArgumentException(name + " maxsize must not be negative: " + maxsize);
        }
        this.maxsize = maxsize;
        this.name = name;
        this.getters = new TaskWaiters(WaitQueue.fifo(), "QUEUE_GET", name);
        this.putters = new TaskWaiters(WaitQueue.fifo(), "QUEUE_PUT", name);
        this.joiners = new TaskWaiters(WaitQueue.barrier(), "QUEUE_JOIN", name);
    }

    abstract int storeSize();

    abstract void storeAdd(E item);

    abstract E storeTake();

    /**
     * Suspends the calling task until an item is available, then removes and returns it. Once the
     * queue is {@linkplain #close() closed}, returns the items left, then throws
     * {@link EndOfQueueException}; a task waiting here when the queue is closed wakes and throws it.
     *
     * @return the item
     * @throws EndOfQueueException   if the queue is closed and holds no item for this task
     * @throws CancelledException    if the task is cancelled or times out while waiting; it took nothing
     * @throws IllegalStateException if the caller is not a curio task
     */
    public final E get() throws CancelledException {
        Checks.inTask(name + ".get");
        Traps.consumeBudget();
        if (getters.isEmpty() && storeSize() > grantedGets) {
            return take();
        }
        if (closed) {
            throw ended();
        }
        getters.park();
        if (grantedGets == 0) {                           // woken by close(): nothing is left for us
            throw ended();
        }
        grantedGets--;                                    // woken: an item is reserved for us
        return take();
    }

    /**
     * Removes and returns an item if one is available to a newcomer (none is reserved for a woken
     * getter, and no getter waits). Never suspends.
     *
     * @return the item, or empty
     * @throws EndOfQueueException   if the queue is {@linkplain #close() closed} and holds no item for a
     *                               newcomer: none will come
     * @throws IllegalStateException if the caller is not a curio task
     */
    public final Optional<E> tryGet() {
        Checks.inTask(name + ".tryGet");
        if (getters.isEmpty() && storeSize() > grantedGets) {
            return Optional.of(take());
        }
        if (closed) {
            throw ended();
        }
        return Optional.empty();
    }

    /**
     * Suspends the calling task until the queue has room, then adds {@code item}; never waits for room if
     * the queue is unbounded (it may still yield first, when the task's cooperative budget is spent).
     *
     * @param item the item
     * @throws CancelledException    if the task is cancelled or times out while waiting; it put nothing
     * @throws IllegalStateException if the queue is {@linkplain #close() closed} (before or while this
     *                               task waits; it put nothing), or the caller is not a curio task
     */
    public final void put(E item) throws CancelledException {
        Objects.requireNonNull(item, "item");
        Checks.inTask(name + ".put");
        Traps.consumeBudget();
        ensureOpen("put");
        if (putters.isEmpty() && hasRoom()) {
            insert(item);
            return;
        }
        putters.park();
        if (closed) {                                     // woken by close(), or closed before we ran
            if (grantedPuts > 0) {
                grantedPuts--;
            }
            throw closedFor("put");
        }
        grantedPuts--;                                    // woken: a place is reserved for us
        try {
            insert(item);
        } catch (RuntimeException e) {                    // refused (PriorityQueue): pass the place on
            grantPutters();
            throw e;
        }
    }

    /**
     * Adds {@code item} if the queue has room for a newcomer (no place is reserved for a woken putter,
     * and no putter waits). Never suspends.
     *
     * @param item the item
     * @return whether the item was added
     * @throws IllegalStateException if the queue is {@linkplain #close() closed}, or the caller is not a
     *                               curio task
     */
    public final boolean tryPut(E item) {
        Objects.requireNonNull(item, "item");
        Checks.inTask(name + ".tryPut");
        ensureOpen("tryPut");
        if (putters.isEmpty() && hasRoom()) {
            insert(item);
            return true;
        }
        return false;
    }

    /**
     * Marks one item taken from the queue as processed; when every item put has been marked, the tasks
     * in {@link #join()} wake up. Never suspends.
     *
     * @throws IllegalStateException if called more times than items were put, or the caller is not a
     *                               curio task
     */
    public final void taskDone() {
        Checks.inTask(name + ".taskDone");
        if (unfinished == 0) {
            throw new IllegalStateException(name + ".taskDone called more times than items were put");
        }
        if (--unfinished == 0) {
            joiners.wakeAll();
        }
    }

    /**
     * Suspends the calling task until every item put has been marked with {@link #taskDone()}.
     *
     * @throws CancelledException    if the task is cancelled or times out while waiting
     * @throws IllegalStateException if the caller is not a curio task
     */
    public final void join() throws CancelledException {
        Checks.inTask(name + ".join");
        if (unfinished > 0) {
            joiners.park();
        }
    }

    /**
     * Ends the stream of items: later puts fail with {@link IllegalStateException}, and so do the puts
     * waiting now (they put nothing); getters take the items left, in the queue's order, and then every
     * get throws {@link EndOfQueueException}. The tasks waiting to get when the queue is closed wake at
     * once, all of them, and throw it. {@link #join()} and {@link #taskDone()} work as before. Never
     * suspends; does nothing if the queue is closed already.
     *
     * @throws IllegalStateException if the caller is not a curio task
     */
    public final void close() {
        Checks.inTask(name + ".close");
        if (closed) {
            return;
        }
        closed = true;
        getters.wakeAll();
        putters.wakeAll();
    }

    /** {@return whether {@link #close()} was called} */
    public final boolean isClosed() {
        return closed;
    }

    private void ensureOpen(String method) {
        if (closed) {
            throw closedFor(method);
        }
    }

    private IllegalStateException closedFor(String method) {
        return new IllegalStateException(name + "." + method + " after close(): the queue is closed; its getters"
                + " drain the items left and then see EndOfQueueException");
    }

    private EndOfQueueException ended() {
        return new EndOfQueueException(name + " closed and empty: every item put before close() was taken");
    }

    private boolean hasRoom() {
        return maxsize == 0 || storeSize() + grantedPuts < maxsize;
    }

    private E take() {
        E item = storeTake();
        grantPutters();
        return item;
    }

    private void grantPutters() {
        if (maxsize > 0 && !putters.isEmpty()) {
            grantedPuts += putters.wake(maxsize - storeSize() - grantedPuts);
        }
    }

    private void insert(E item) {
        storeAdd(item);
        unfinished++;
        if (!getters.isEmpty()) {
            grantedGets += getters.wake(storeSize() - grantedGets);
        }
    }

    /** {@return the number of items in the queue, including any reserved for woken getters} */
    public final int size() {
        return storeSize();
    }

    /** {@return whether the queue holds no item} */
    public final boolean isEmpty() {
        return storeSize() == 0;
    }

    /** {@return whether the queue is bounded and holds {@link #maxsize()} items} */
    public final boolean isFull() {
        return maxsize > 0 && storeSize() >= maxsize;
    }

    /** {@return the most items the queue holds, or 0 if it is unbounded} */
    public final int maxsize() {
        return maxsize;
    }

    /** {@return a snapshot of the queue's state} Never suspends. */
    public final Statistics statistics() {
        return new Statistics(storeSize(), maxsize, getters.size(), putters.size(), unfinished);
    }

    /**
     * A snapshot of a queue's state.
     *
     * @param size       the number of items in the queue
     * @param maxsize    the most items it holds, or 0 if unbounded
     * @param getters    how many tasks wait to get
     * @param putters    how many tasks wait to put
     * @param unfinished how many items put have not been marked done
     */
    public record Statistics(int size, int maxsize, int getters, int putters, int unfinished) {}

    @Override
    public final String toString() {
        return name + "[size=" + storeSize() + ", maxsize=" + (maxsize == 0 ? "unbounded" : maxsize)
                + ", getters=" + getters.size() + ", putters=" + putters.size() + (closed ? ", closed" : "") + "]";
    }
}
