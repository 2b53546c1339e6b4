package org.curio.sync;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import org.curio.sync.Waits.Waiter;
import org.curio.sync.Waits.WaiterList;
import org.curio.traps.CancelledException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/**
 * A first-in, first-out queue shared by curio tasks of any kernel and plain threads. Curio: "a queue
 * that can be used in both synchronous and asynchronous code. The API is the same. It just works."
 * Here the same {@code put}, {@code tryGet}, {@code tryPut}, {@code taskDone} and {@code join} serve
 * both; getting an item is {@link #get()} for a task (a cancellation ends its wait) and {@link #take()}
 * for a thread (an interrupt ends its wait with {@link InterruptedException}), because Java makes a
 * caller name the exceptions it may see.
 *
 * {@snippet :
 * var queue = new UniversalQueue<String>(100);
 * Thread.ofPlatform().start(() -> {             // a plain thread consumes
 *     try {
 *         while (true) {
 *             handle(queue.take());             // blocks the thread
 *         }
 *     } catch (EndOfQueueException end) {       // closed, and every item taken
 *     } catch (InterruptedException e) {        // interrupted while waiting
 *     }
 * });
 * queue.put("work");                            // a task produces: suspends while full, never blocks its kernel
 * queue.close();                                // the end of the stream
 * }
 *
 * <p><b>Fairness.</b> Getters (tasks and threads alike) are served in the order they asked, and so are
 * putters. An item that arrives while getters wait is reserved for the longest waiting getter, which
 * takes the first item when it resumes; a place freed while putters wait is reserved for the longest
 * waiting putter. A newcomer cannot take what is reserved.
 *
 * <p><b>End of stream.</b> Items are never null, so none can mark the end: a producer calls
 * {@link #close()}. Later puts fail with {@link IllegalStateException}; getters take the items left,
 * and then every {@code get} and {@code take} throws {@link EndOfQueueException}. The tasks and threads
 * waiting to get when the queue is closed all wake at once and throw it.
 *
 * <p><b>Cancellation and interrupts.</b> {@code get}, {@code take}, {@code put} and {@code join} wait
 * only when they must; called from a task, {@code get} and {@code put} first draw on its cooperative
 * budget and yield (a cancellation point) when it is spent, so a task that never has to wait still lets
 * others run. A task that waits is suspended on a future (curio's {@code _future_wait}), so its wait is
 * a cancellation point. A thread that waits blocks: an interrupt ends its {@code take} with
 * {@link InterruptedException} (the interrupt status cleared, as {@code BlockingQueue.take} does), and
 * its {@code put} or {@code join} with {@link org.curio.traps.TaskCancelledException} whose cause is
 * the {@code InterruptedException} (the status cleared too). A wait ended by a cancellation, a timeout
 * or an interrupt takes or puts nothing, and if an item or a place had already been reserved for it,
 * the reservation passes to the next waiter or back to the queue, so the item stays first in line:
 * nothing is lost or duplicated, and items leave in the order they arrived.
 *
 * <p><b>Thread safety.</b> Universal: any task of any kernel and any thread may call any method, at
 * the same time. Waiting tasks never block their kernel's thread, except for the few instructions
 * under the queue's internal lock, which is never held while waiting.
 *
 * <p><b>Memory consistency.</b> Actions in a thread or task before it puts an item happen-before
 * actions after another thread or task gets that item; actions before {@code taskDone()} happen-before
 * actions after the {@code join()} that it releases.
 *
 * @param <E> the type of the items
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/queue.py">curio's UniversalQueue</a>
 */
public final class UniversalQueue<E> {
    /*
     * Implementation notes. Curio's design (a non-blocking critical section, then a wait on a future
     * outside it) with reservations instead of handing items to futures. Everything below is guarded
     * by mutex, which is never held while waiting or completing futures. A waiter that must wait joins
     * a FIFO list; whoever makes an item (or a place) available marks as many waiters granted as there
     * are unreserved items (places), counts them in grantedGets (grantedPuts), and completes their
     * futures after unlocking. A granted getter takes the first item when it resumes. A getter whose
     * wait ends with an exception removes itself if it is still listed; if it was granted already (its
     * future completed as its timeout fired, in the same kernel tick or on another thread), it returns
     * the reservation and grants the next waiter. Items never leave the deque except into a getter's
     * hands, so the order is kept even across abandoned waits. Invariants: items.size() >= grantedGets;
     * bounded: items.size() + grantedPuts <= maxsize.
     */
    private final ReentrantLock mutex = new ReentrantLock();
    private final int maxsize;                           // 0: unbounded
    private final ArrayDeque<E> items = new ArrayDeque<>();
    private final WaiterList getters = new WaiterList();
    private final WaiterList putters = new WaiterList();
    private final WaiterList joiners = new WaiterList();
    private int grantedGets;                             // items reserved for granted getters
    private int grantedPuts;                             // places reserved for granted putters
    private int unfinished;                              // items put and not yet marked done
    private boolean closed;                              // close() was called: no more puts
    private @Nullable Waiter toComplete;                 // granted under the mutex, completed after unlocking

    /** Creates an unbounded queue. */
    public UniversalQueue() {
        this(0);
    }

    /**
     * Creates a queue that holds at most {@code maxsize} items.
     *
     * @param maxsize the bound, or 0 for none
     * @throws IllegalArgumentException if {@code maxsize} is negative
     */
    public UniversalQueue(int maxsize) {
        if (maxsize < 0) {
            throw new IllegalArgumentException("UniversalQueue maxsize must not be negative: " + maxsize);
        }
        this.maxsize = maxsize;
    }

    /**
     * Removes and returns the first item, suspending the calling task until one is available. Plain
     * threads call {@link #take()} instead. Once the queue is {@linkplain #close() closed}, returns the
     * items left, then throws {@link EndOfQueueException}; a task waiting here when the queue is closed
     * wakes and throws it.
     *
     * @return the item
     * @throws EndOfQueueException   if the queue is closed and holds no item for this task
     * @throws CancelledException    if the task is cancelled or times out while waiting; it took nothing
     * @throws IllegalStateException if the caller is a plain thread, not a curio task (it names
     *                               {@code take()})
     */
    public E get() throws CancelledException {
        if (!Traps.inTask()) {
            throw new IllegalStateException("UniversalQueue.get called from plain thread "
                    + Thread.currentThread().getName() + "; get() is for curio tasks, whose wait a cancellation"
                    + " ends: a thread calls take(), whose wait an interrupt ends with InterruptedException");
        }
        Traps.consumeBudget();
        Object now = takeOrEnqueue();
        if (!(now instanceof Waiter w)) {
            return cast(now);
        }
        try {
            Traps.call(new Trap.FutureWait(w));
        } catch (CancelledException | RuntimeException e) {
            abandon(w, getters, true);
            throw e;
        }
        return takeGranted(w);
    }

    /**
     * Removes and returns the first item, blocking the calling plain thread until one is available: the
     * thread's {@link java.util.concurrent.BlockingQueue#take()}. Tasks call {@link #get()} instead.
     * Once the queue is {@linkplain #close() closed}, returns the items left, then throws
     * {@link EndOfQueueException}; a thread waiting here when the queue is closed wakes and throws it.
     *
     * @return the item
     * @throws EndOfQueueException   if the queue is closed and holds no item for this thread
     * @throws InterruptedException  if the thread is interrupted while waiting, or is interrupted when
     *                               it must start to wait; it took nothing, and its interrupt status is
     *                               cleared, as by every method that throws {@code InterruptedException}
     * @throws IllegalStateException if the caller is a curio task (it names {@code get()})
     */
    public E take() throws InterruptedException {
        if (Traps.inTask()) {
            throw new IllegalStateException("UniversalQueue.take called from a curio task; take() blocks a plain"
                    + " thread: a task calls get(), which suspends only the task");
        }
        Object now = takeOrEnqueue();
        if (!(now instanceof Waiter w)) {
            return cast(now);
        }
        try {
            Waits.block(w);
        } catch (InterruptedException | RuntimeException e) {
            abandon(w, getters, true);
            throw e;
        }
        return takeGranted(w);
    }

    /**
     * Takes the first item if a newcomer may; otherwise lists a new getter and returns its waiter (no
     * item can be one: the class is private to this package).
     */
    private Object takeOrEnqueue() {
        mutex.lock();
        try {
            if (getters.isEmpty() && items.size() > grantedGets) {
                return takeLocked();
            }
            if (closed) {
                throw ended();
            }
            Waiter w = new Waiter();
            getters.add(w);
            return w;
        } finally {
            unlockThenComplete();
        }
    }

    /** After a getter's wait: takes its reserved item, or ends if the close woke it. */
    private E takeGranted(Waiter w) {
        mutex.lock();
        try {
            if (!w.granted) {                            // released by close(): nothing is left for it
                throw ended();
            }
            grantedGets--;
            return takeLocked();
        } finally {
            unlockThenComplete();
        }
    }

    @SuppressWarnings("unchecked")
    private E cast(Object item) {
        return (E) item;
    }

    /**
     * Removes and returns the first item if one is available to a newcomer (no getter waits and it is
     * not reserved). Never waits.
     *
     * @return the item, or empty
     * @throws EndOfQueueException if the queue is {@linkplain #close() closed} and holds no item for a
     *                             newcomer: none will come
     */
    public Optional<E> tryGet() {
        mutex.lock();
        try {
            if (getters.isEmpty() && items.size() > grantedGets) {
                return Optional.of(takeLocked());
            }
            if (closed) {
                throw ended();
            }
            return Optional.empty();
        } finally {
            unlockThenComplete();
        }
    }

    /**
     * Adds {@code item} at the end, waiting until the queue has room (never, if it is unbounded):
     * suspends a calling task, blocks a calling thread.
     *
     * @param item the item
     * @throws CancelledException    if the task is cancelled or times out, or the thread is interrupted,
     *                               while waiting; it put nothing
     * @throws IllegalStateException if the queue is {@linkplain #close() closed}, before or while this
     *                               caller waits; it put nothing
     */
    public void put(E item) throws CancelledException {
        Objects.requireNonNull(item, "item");
        if (Traps.inTask()) {
            Traps.consumeBudget();
        }
        Waiter w;
        mutex.lock();
        try {
            ensureOpenLocked("put");
            if (putters.isEmpty() && hasRoomLocked()) {
                insertLocked(item);
                return;
            }
            w = new Waiter();
            putters.add(w);
        } finally {
            unlockThenComplete();
        }
        try {
            Waits.await(w, "UniversalQueue.put");
        } catch (CancelledException | RuntimeException e) {
            abandon(w, putters, false);
            throw e;
        }
        mutex.lock();
        try {
            if (w.granted) {
                grantedPuts--;
            }
            ensureOpenLocked("put");                     // released by close(), or closed before it ran
            insertLocked(item);
        } finally {
            unlockThenComplete();
        }
    }

    /**
     * Adds {@code item} if the queue has room for a newcomer (no putter waits and the room is not
     * reserved). Never waits.
     *
     * @param item the item
     * @return whether the item was added
     * @throws IllegalStateException if the queue is {@linkplain #close() closed}
     */
    public boolean tryPut(E item) {
        Objects.requireNonNull(item, "item");
        mutex.lock();
        try {
            ensureOpenLocked("tryPut");
            if (putters.isEmpty() && hasRoomLocked()) {
                insertLocked(item);
                return true;
            }
            return false;
        } finally {
            unlockThenComplete();
        }
    }

    /**
     * Marks one item taken from the queue as processed; when every item put has been marked, the
     * waiters in {@link #join()} wake up. Never waits.
     *
     * @throws IllegalStateException if called more times than items were put
     */
    public void taskDone() {
        mutex.lock();
        try {
            if (unfinished == 0) {
                throw new IllegalStateException("UniversalQueue.taskDone called more times than items were put");
            }
            if (--unfinished == 0) {
                toComplete = joiners.grant(joiners.size(), toComplete);
            }
        } finally {
            unlockThenComplete();
        }
    }

    /**
     * Waits until every item put has been marked with {@link #taskDone()}: suspends a calling task,
     * blocks a calling thread.
     *
     * @throws CancelledException if the task is cancelled or times out, or the thread is interrupted,
     *                            while waiting
     */
    public void join() throws CancelledException {
        Waiter w;
        mutex.lock();
        try {
            if (unfinished == 0) {
                return;
            }
            w = new Waiter();
            joiners.add(w);
        } finally {
            mutex.unlock();
        }
        Waits.awaitOrLeave(w, "UniversalQueue.join", mutex, joiners);
    }

    /**
     * Ends the stream of items: later puts fail with {@link IllegalStateException}, and so do the puts
     * waiting now (they put nothing); getters take the items left, in order, and then every
     * {@link #get()} and {@link #take()} throws {@link EndOfQueueException}. Every task and thread
     * waiting to get when the queue is closed wakes at once and throws it. {@link #join()} and
     * {@link #taskDone()} work as before. Never waits; does nothing if the queue is closed already.
     */
    public void close() {
        mutex.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            toComplete = getters.releaseAll(toComplete);
            toComplete = putters.releaseAll(toComplete);
        } finally {
            unlockThenComplete();
        }
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        mutex.lock();
        try {
            return closed;
        } finally {
            mutex.unlock();
        }
    }

    // ---- guarded by mutex

    private void ensureOpenLocked(String method) {
        if (closed) {
            throw new IllegalStateException("UniversalQueue." + method + " after close(): the queue is closed; its"
                    + " getters drain the items left and then see EndOfQueueException");
        }
    }

    private static EndOfQueueException ended() {
        return new EndOfQueueException("UniversalQueue closed and empty: every item put before close() was taken");
    }

    private void unlockThenComplete() {
        Waiter chain = toComplete;
        toComplete = null;
        mutex.unlock();
        Waits.complete(chain);
    }

    private boolean hasRoomLocked() {
        return maxsize == 0 || items.size() + grantedPuts < maxsize;
    }

    private E takeLocked() {
        E item = items.removeFirst();
        grantPuttersLocked();
        return item;
    }

    private void insertLocked(E item) {
        items.addLast(item);
        unfinished++;
        grantGettersLocked();
    }

    private void grantGettersLocked() {
        int n = Math.min(getters.size(), items.size() - grantedGets);
        if (n > 0) {
            grantedGets += n;
            toComplete = getters.grant(n, toComplete);
        }
    }

    private void grantPuttersLocked() {
        if (maxsize > 0) {
            int n = Math.min(putters.size(), maxsize - items.size() - grantedPuts);
            if (n > 0) {
                grantedPuts += n;
                toComplete = putters.grant(n, toComplete);
            }
        }
    }

    /** Ends an abandoned wait: unlists the waiter, or passes on what was reserved for it. */
    private void abandon(Waiter w, WaiterList list, boolean getter) {
        mutex.lock();
        try {
            if (!list.remove(w) && w.granted) {
                if (getter) {
                    grantedGets--;
                    grantGettersLocked();
                } else {
                    grantedPuts--;
                    grantPuttersLocked();
                }
            }
        } finally {
            unlockThenComplete();
        }
    }

    // ---- accessors

    /** {@return the number of items in the queue, including any reserved for granted getters} */
    public int size() {
        mutex.lock();
        try {
            return items.size();
        } finally {
            mutex.unlock();
        }
    }

    /** {@return whether the queue holds no item} */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** {@return whether the queue is bounded and holds {@link #maxsize()} items} */
    public boolean isFull() {
        return maxsize > 0 && size() >= maxsize;
    }

    /** {@return the most items the queue holds, or 0 if it is unbounded} */
    public int maxsize() {
        return maxsize;
    }

    /** {@return a consistent snapshot of the queue's state} */
    public Statistics statistics() {
        mutex.lock();
        try {
            return new Statistics(items.size(), maxsize, getters.size(), putters.size(), unfinished);
        } finally {
            mutex.unlock();
        }
    }

    /**
     * A snapshot of a universal queue's state.
     *
     * @param size       the number of items in the queue
     * @param maxsize    the most items it holds, or 0 if unbounded
     * @param getters    how many tasks and threads wait to get
     * @param putters    how many tasks and threads wait to put
     * @param unfinished how many items put have not been marked done
     */
    public record Statistics(int size, int maxsize, int getters, int putters, int unfinished) {}

    @Override
    public String toString() {
        Statistics s = statistics();
        return "UniversalQueue[size=" + s.size() + ", maxsize=" + (maxsize == 0 ? "unbounded" : maxsize)
                + ", getters=" + s.getters() + ", putters=" + s.putters() + (isClosed() ? ", closed" : "") + "]";
    }
}
