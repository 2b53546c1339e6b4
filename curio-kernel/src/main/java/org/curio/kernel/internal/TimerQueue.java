package org.curio.kernel.internal;

import java.util.Arrays;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The kernel's timers (sleeps and timeouts): an indexed binary min-heap ordered by deadline, then by
 * arming order.
 *
 * <p>Each entry knows its heap index, so the common case for timeouts, being disarmed before they
 * fire, removes the entry in O(log n) and leaves no garbage behind (curio keeps far deadlines in a
 * side table for the same reason). Entries with equal deadlines fire in the order they were armed.
 */
final class TimerQueue {
    /**
     * A timer; {@link #index} is -1 once it has fired or been removed. Running it disarms it, so an
     * entry is its own cancel function.
     */
    static final class Entry implements Runnable {
        final TimerQueue queue;
        final KernelTask<?> task;
        final boolean sleep;                          // a sleep; otherwise a timeout
        long deadline;
        long seq;
        int index = -1;

        Entry(TimerQueue queue, KernelTask<?> task, boolean sleep) {
            this.queue = queue;
            this.task = task;
            this.sleep = sleep;
        }

        @Override
        public void run() {
            queue.remove(this);
        }

        boolean armed() {
            return index >= 0;
        }
    }

    private Entry[] heap = new Entry[64];
    private int size;
    private long nextSeq;

    int size() {
        return size;
    }

    /** Arms {@code e} at {@code deadline}; re-arms it if it is armed already. */
    void arm(Entry e, long deadline) {
        if (e.armed()) {
            remove(e);
        }
        e.deadline = deadline;
        e.seq = nextSeq++;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        e.index = size;
        heap[size++] = e;
        siftUp(e.index);
    }

    /** Disarms {@code e} if it is armed. */
    void remove(Entry e) {
        int i = e.index;
        if (i < 0) {
            return;
        }
        e.index = -1;
        Entry last = heap[--size];
        heap[size] = null;
        if (i != size) {
            heap[i] = last;
            last.index = i;
            siftDown(i);
            siftUp(last.index);
        }
    }

    /** {@return the earliest deadline, or {@code Long.MAX_VALUE} if no timer is armed} */
    long nextDeadline() {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
    }

    /** Removes every entry whose deadline is at or before {@code now}, in order, passing each to {@code sink}. */
    void expire(long now, Consumer<Entry> sink) {
        while (size > 0 && heap[0].deadline <= now) {
            Entry e = heap[0];
            remove(e);
            sink.accept(e);
        }
    }

    @Nullable Entry peek() {
        return size == 0 ? null : heap[0];
    }

    private static boolean before(Entry a, Entry b) {
        return a.deadline < b.deadline || (a.deadline == b.deadline && a.seq < b.seq);
    }

    private void siftUp(int i) {
        Entry e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Entry p = heap[parent];
            if (!before(e, p)) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = e;
        e.index = i;
    }

    private void siftDown(int i) {
        Entry e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], e)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].index = i;
            i = child;
        }
        heap[i] = e;
        e.index = i;
    }
}
