package org.curio.kernel.internal.monitor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.curio.kernel.spi.Activation;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.jspecify.annotations.Nullable;

/**
 * An activation that keeps the last {@link #CAPACITY} terminated tasks and their outcome, and counts
 * task runs, for the console's {@code recent} and {@code stats} commands.
 */
final class Recorder implements Activation {
    /*
     * Implementation notes. The kernel thread writes, console threads read. The ring is guarded by
     * its own lock, taken once per terminated task; the run counter is written with an opaque store
     * (a plain move on x86) by its only writer and read opaquely.
     */
    static final int CAPACITY = 50;

    /**
     * A terminated task.
     *
     * @param id      its id
     * @param name    its name
     * @param outcome how it ended, such as {@code returned} or {@code failed: java.io.IOException: …}
     * @param cycles  how many times it ran
     * @param endedAt when it ended, in epoch milliseconds
     */
    record Ended(long id, String name, String outcome, long cycles, long endedAt) {}

    private final ArrayDeque<Ended> ring = new ArrayDeque<>(CAPACITY);   // guarded by itself
    private final AtomicLong cycles = new AtomicLong();

    @Override
    public void running(Task<?> task) {
        cycles.setOpaque(cycles.getPlain() + 1);
    }

    @Override
    public void terminated(Task<?> task, @Nullable Throwable failure) {
        String outcome;
        if (failure == null) {
            outcome = task.isCancelled() ? "returned after being cancelled" : "returned";
        } else if (failure instanceof CancelledException) {
            outcome = "cancelled (" + failure.getClass().getSimpleName() + ")";
        } else {
            outcome = "failed: " + describe(failure);
        }
        Ended e = new Ended(task.id(), task.name(), outcome, task.cycles(), System.currentTimeMillis());
        synchronized (ring) {
            if (ring.size() == CAPACITY) {
                ring.removeFirst();
            }
            ring.addLast(e);
        }
    }

    /** {@return {@code failure}'s toString, or its class name if that throws: an activation must not throw} */
    private static String describe(Throwable failure) {
        try {
            return String.valueOf(failure);
        } catch (RuntimeException e) {
            return failure.getClass().getName() + " (its toString failed: " + e.getClass().getName() + ")";
        }
    }

    /** {@return the task runs counted so far} Any thread. */
    long cycles() {
        return cycles.getOpaque();
    }

    /** {@return the recently terminated tasks, newest first} Any thread. */
    List<Ended> recent() {
        synchronized (ring) {
            return new ArrayList<>(ring).reversed();
        }
    }
}
