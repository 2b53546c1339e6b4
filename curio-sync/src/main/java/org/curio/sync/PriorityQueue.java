package org.curio.sync;

import java.util.Comparator;
import java.util.Objects;

/**
 * A {@link TaskQueue} that hands out the smallest item first, by natural order or by a comparator.
 * Items that compare equal come out in no particular order.
 *
 * {@snippet :
 * var jobs = new PriorityQueue<Job>(Comparator.comparingInt(Job::priority));
 * jobs.put(new Job(4, "later"));
 * jobs.put(new Job(1, "urgent"));
 * Job next = jobs.get();                     // the urgent one
 * }
 *
 * <p>With natural ordering, an item that is not {@link Comparable} is refused at {@code put} with a
 * {@link ClassCastException}, as {@link java.util.PriorityQueue} does.
 *
 * <p><b>Cancellation.</b> As {@link TaskQueue}: a cancelled {@code get} or {@code put} loses nothing.
 *
 * <p><b>Thread safety.</b> As {@link TaskQueue}: only tasks of one kernel may use it.
 *
 * @param <E> the type of the items
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/queue.py">curio's PriorityQueue</a>
 */
public final class PriorityQueue<E> extends TaskQueue<E> {
    private final java.util.PriorityQueue<E> items;

    /** Creates an unbounded queue ordered by the items' natural order. */
    public PriorityQueue() {
        this(0);
    }

    /**
     * Creates a queue ordered by the items' natural order, holding at most {@code maxsize} items.
     *
     * @param maxsize the bound, or 0 for none
     * @throws IllegalArgumentException if {@code maxsize} is negative
     */
    public PriorityQueue(int maxsize) {
        super(maxsize, "PriorityQueue");
        this.items = new java.util.PriorityQueue<>();
    }

    /**
     * Creates an unbounded queue ordered by {@code comparator}.
     *
     * @param comparator the order; smallest first
     */
    public PriorityQueue(Comparator<? super E> comparator) {
        this(0, comparator);
    }

    /**
     * Creates a queue ordered by {@code comparator}, holding at most {@code maxsize} items.
     *
     * @param maxsize    the bound, or 0 for none
     * @param comparator the order; smallest first
     * @throws IllegalArgumentException if {@code maxsize} is negative
     */
    public PriorityQueue(int maxsize, Comparator<? super E> comparator) {
        super(maxsize, "PriorityQueue");
        this.items = new java.util.PriorityQueue<>(Objects.requireNonNull(comparator, "comparator"));
    }

    @Override
    int storeSize() {
        return items.size();
    }

    @Override
    void storeAdd(E item) {
        items.add(item);
    }

    @Override
    E storeTake() {
        return items.remove();
    }
}
