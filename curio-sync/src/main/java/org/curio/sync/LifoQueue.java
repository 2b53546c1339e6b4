package org.curio.sync;

import java.util.ArrayDeque;

/**
 * A last-in, first-out {@link TaskQueue}: the item put most recently comes out first (a stack).
 *
 * {@snippet :
 * var stack = new LifoQueue<Integer>();
 * stack.put(1);
 * stack.put(2);
 * int top = stack.get();                     // 2
 * }
 *
 * <p><b>Cancellation.</b> As {@link TaskQueue}: a cancelled {@code get} or {@code put} loses nothing.
 *
 * <p><b>Thread safety.</b> As {@link TaskQueue}: only tasks of one kernel may use it.
 *
 * @param <E> the type of the items
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/queue.py">curio's LifoQueue</a>
 */
public final class LifoQueue<E> extends TaskQueue<E> {
    private final ArrayDeque<E> items = new ArrayDeque<>();

    /** Creates an unbounded LIFO queue. */
    public LifoQueue() {
        this(0);
    }

    /**
     * Creates a LIFO queue that holds at most {@code maxsize} items.
     *
     * @param maxsize the bound, or 0 for none
     * @throws IllegalArgumentException if {@code maxsize} is negative
     */
    public LifoQueue(int maxsize) {
        super(maxsize, "LifoQueue");
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
        return items.removeLast();
    }
}
