package org.curio.sync;

import java.util.ArrayDeque;

/**
 * A first-in, first-out {@link TaskQueue}: items come out in the order they went in.
 *
 * {@snippet :
 * var queue = new Queue<Integer>();
 * queue.put(1);
 * queue.put(2);
 * int first = queue.get();                   // 1
 * }
 *
 * <p><b>Cancellation.</b> As {@link TaskQueue}: a cancelled {@code get} or {@code put} loses nothing.
 *
 * <p><b>Thread safety.</b> As {@link TaskQueue}: only tasks of one kernel may use it; use
 * {@link UniversalQueue} to share items with threads.
 *
 * @param <E> the type of the items
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/queue.py">curio's Queue</a>
 */
public final class Queue<E> extends TaskQueue<E> {
    private final ArrayDeque<E> items = new ArrayDeque<>();

    /** Creates an unbounded queue. */
    public Queue() {
        this(0);
    }

    /**
     * Creates a queue that holds at most {@code maxsize} items.
     *
     * @param maxsize the bound, or 0 for none
     * @throws IllegalArgumentException if {@code maxsize} is negative
     */
    public Queue(int maxsize) {
        super(maxsize, "Queue");
    }

    @Override
    int storeSize() {
        return items.size();
    }

    @Override
    void storeAdd(E item) {
        items.addLast(item);
    }

    @Override
    E storeTake() {
        return items.removeFirst();
    }
}
