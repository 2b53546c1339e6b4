package org.curio.sync;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.curio.traps.CancelledException;

/**
 * One view of the four queue kinds for tests that run over all of them ({@link QueueContract}, the
 * conservation properties): {@link Queue}, {@link LifoQueue}, {@link PriorityQueue} and
 * {@link UniversalQueue}, with integer items.
 */
interface TestQueue {
    /** Gets an item. */
    int get() throws CancelledException;

    /** Puts an item. */
    void put(int item) throws CancelledException;

    /** Tries to get an item. */
    Optional<Integer> tryGet();

    /** Tries to put an item. */
    boolean tryPut(int item);

    /** Marks an item done. */
    void taskDone();

    /** Waits until every item is done. */
    void join() throws CancelledException;

    /** {@return the number of items} */
    int size();

    /** {@return whether there is no item} */
    boolean isEmpty();

    /** {@return whether the queue is full} */
    boolean isFull();

    /** {@return the bound, or 0} */
    int maxsize();

    /** {@return how many getters and putters wait, and how many items are unfinished} */
    List<Integer> waiting();

    /** Closes the queue: the end of its stream. */
    void close();

    /** {@return whether the queue is closed} */
    boolean isClosed();

    /** The four kinds, each with the order its items come out in. */
    enum Kind {
        /** {@link Queue}. */
        FIFO,
        /** {@link LifoQueue}. */
        LIFO,
        /** {@link PriorityQueue}, natural order. */
        PRIORITY,
        /** {@link UniversalQueue}, first in first out. */
        UNIVERSAL;

        /** {@return the queue's class name, as its messages give it} */
        String className() {
            return switch (this) {
                case FIFO -> "Queue";
                case LIFO -> "LifoQueue";
                case PRIORITY -> "PriorityQueue";
                case UNIVERSAL -> "UniversalQueue";
            };
        }

        /** {@return a new queue of this kind} */
        TestQueue create(int maxsize) {
            return switch (this) {
                case FIFO -> new OfTaskQueue(new Queue<>(maxsize));
                case LIFO -> new OfTaskQueue(new LifoQueue<>(maxsize));
                case PRIORITY -> new OfTaskQueue(new PriorityQueue<>(maxsize));
                case UNIVERSAL -> new OfUniversal(new UniversalQueue<>(maxsize));
            };
        }

        /** {@return the order {@code items}, all in the queue at once, come out in} */
        List<Integer> drainOrder(List<Integer> items) {
            List<Integer> out = new ArrayList<>(items);
            switch (this) {
                case FIFO, UNIVERSAL -> { }
                case LIFO -> java.util.Collections.reverse(out);
                case PRIORITY -> out.sort(Comparator.naturalOrder());
            }
            return out;
        }
    }

    /** A task queue as a test queue. */
    record OfTaskQueue(TaskQueue<Integer> q) implements TestQueue {
        @Override public int get() throws CancelledException { return q.get(); }
        @Override public void put(int item) throws CancelledException { q.put(item); }
        @Override public Optional<Integer> tryGet() { return q.tryGet(); }
        @Override public boolean tryPut(int item) { return q.tryPut(item); }
        @Override public void taskDone() { q.taskDone(); }
        @Override public void join() throws CancelledException { q.join(); }
        @Override public int size() { return q.size(); }
        @Override public boolean isEmpty() { return q.isEmpty(); }
        @Override public boolean isFull() { return q.isFull(); }
        @Override public int maxsize() { return q.maxsize(); }
        @Override public void close() { q.close(); }
        @Override public boolean isClosed() { return q.isClosed(); }

        @Override
        public List<Integer> waiting() {
            var s = q.statistics();
            return List.of(s.getters(), s.putters(), s.unfinished());
        }
    }

    /** A universal queue as a test queue. */
    record OfUniversal(UniversalQueue<Integer> q) implements TestQueue {
        @Override public int get() throws CancelledException { return q.get(); }
        @Override public void put(int item) throws CancelledException { q.put(item); }
        @Override public Optional<Integer> tryGet() { return q.tryGet(); }
        @Override public boolean tryPut(int item) { return q.tryPut(item); }
        @Override public void taskDone() { q.taskDone(); }
        @Override public void join() throws CancelledException { q.join(); }
        @Override public int size() { return q.size(); }
        @Override public boolean isEmpty() { return q.isEmpty(); }
        @Override public boolean isFull() { return q.isFull(); }
        @Override public int maxsize() { return q.maxsize(); }
        @Override public void close() { q.close(); }
        @Override public boolean isClosed() { return q.isClosed(); }

        @Override
        public List<Integer> waiting() {
            var s = q.statistics();
            return List.of(s.getters(), s.putters(), s.unfinished());
        }
    }
}
