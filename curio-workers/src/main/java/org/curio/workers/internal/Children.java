package org.curio.workers.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.curio.kernel.spi.Holdings;

/**
 * One kernel's live children (those not reaped and not detached), closed with the kernel: each
 * remaining child, and its process group, is killed and reaped then. Also counts, process-wide, the
 * live children and open pidfds, for leak checks.
 */
public final class Children implements AutoCloseable, Holdings {
    /*
     * Implementation notes. Tasks of one kernel add and remove entries; close runs on the thread that
     * closes the kernel, after every task ended, so the set is guarded by itself only for visibility.
     */
    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong PIDFDS = new AtomicLong();
    private final Set<Child> live = new LinkedHashSet<>();     // guarded by itself

    /** What the registry can do to a child when the kernel closes. */
    public interface Child {
        /** Kills the child (and its group), waits for it on the calling thread, reaps it, closes its descriptors. */
        void killAndReap();
    }

    /** Creates an empty registry. */
    public Children() {}

    /**
     * Adds a started child.
     *
     * @param child the child
     */
    public void add(Child child) {
        synchronized (live) {
            live.add(child);
        }
        LIVE.incrementAndGet();
    }

    /**
     * Removes a reaped or detached child; does nothing if it is not here.
     *
     * @param child the child
     */
    public void remove(Child child) {
        boolean removed;
        synchronized (live) {
            removed = live.remove(child);
        }
        if (removed) {
            LIVE.decrementAndGet();
        }
    }

    /** {@return how many children of this kernel are live} */
    public int size() {
        synchronized (live) {
            return live.size();
        }
    }

    /** Kills and reaps every remaining child. */
    @Override
    public void close() {
        List<Child> left;
        synchronized (live) {
            left = new ArrayList<>(live);
        }
        for (Child c : left) {
            c.killAndReap();
            remove(c);
        }
    }

    /** {@return the live children of every kernel in this process} */
    public static long liveChildren() {
        return LIVE.get();
    }

    /** {@return the open pidfds of every kernel in this process} */
    public static long openPidfds() {
        return PIDFDS.get();
    }

    /** Counts a pidfd opened. */
    public static void pidfdOpened() {
        PIDFDS.incrementAndGet();
    }

    /** Counts a pidfd closed. */
    public static void pidfdClosed() {
        PIDFDS.decrementAndGet();
    }

    /** {@return this kernel's child processes, for its ledger} */
    @Override
    public Map<String, Long> holdings() {
        return Map.of("child processes", (long) size());
    }
}
