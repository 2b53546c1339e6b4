package org.curio.kernel.internal;

import java.util.Map;
import java.util.WeakHashMap;

import org.curio.traps.Pollable;
import org.jspecify.annotations.Nullable;

/**
 * Which kernel holds the poller registration of each {@link Pollable}: a descriptor waited on by a
 * task of one kernel belongs to that kernel until it is released (closed or detached), so a task of
 * another kernel that waits on it fails with an error naming both kernels, instead of registering
 * the descriptor with a second epoll instance, where readiness would wake the wrong kernel's tasks.
 */
final class FdOwners {
    /*
     * Implementation notes. One process-wide map, touched once when a descriptor is first registered
     * and once when its registration is dropped, never per wait. Keys are the Pollable objects, which
     * compare by identity (NativeFd does not override equals), held weakly: a proxy dropped without
     * IoRelease (closed from a plain thread) leaves no entry behind once it is collected.
     */
    private static final Map<Pollable, IoWaits> OWNERS = new WeakHashMap<>();

    private FdOwners() {}

    /**
     * Records that {@code io} registers {@code source}.
     *
     * @throws IllegalArgumentException if another kernel holds a registration of {@code source}
     */
    static void claim(Pollable source, IoWaits io) {
        IoWaits owner;
        synchronized (OWNERS) {
            owner = OWNERS.putIfAbsent(source, io);
        }
        if (owner != null && owner != io) {
            throw new IllegalArgumentException("descriptor " + source + " belongs to "
                    + owner.scheduler.kernel + ", not to the calling task's " + io.scheduler.kernel
                    + "; a descriptor is used only by tasks of the kernel that first waited on it"
                    + " (close it there, or hand it over before any task waits on it)");
        }
    }

    /** Forgets {@code io}'s registration of {@code source}. */
    static void unclaim(Pollable source, IoWaits io) {
        synchronized (OWNERS) {
            OWNERS.remove(source, io);
        }
    }

    /**
     * Called when {@code caller}'s kernel releases a descriptor it has not registered: if another
     * kernel holds its registration (a task of this kernel closes another kernel's socket), that
     * kernel drops it at its next turn and wakes its waiters, which then find the descriptor closed.
     */
    static void releaseElsewhere(Pollable source, IoWaits caller) {
        @Nullable IoWaits owner;
        synchronized (OWNERS) {
            owner = OWNERS.get(source);
        }
        if (owner != null && owner != caller) {
            owner.scheduler.handOff(() -> owner.release(source));
        }
    }
}
