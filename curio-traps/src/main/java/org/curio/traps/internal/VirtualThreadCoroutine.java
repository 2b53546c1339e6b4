package org.curio.traps.internal;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.curio.traps.spi.Coroutine;
import org.curio.traps.spi.Scheduler;
import org.curio.traps.spi.TrapHandler;
import org.jspecify.annotations.Nullable;

/**
 * A coroutine that is a virtual thread. When it suspends or ends, its own thread runs the kernel's
 * next {@linkplain Scheduler scheduling step} and hands control straight to the task that step picked
 * (or simply carries on if it picked this one), so a switch costs one park/unpark, not two.
 */
public final class VirtualThreadCoroutine extends Coroutine {
    /*
     * Implementation notes. `turn` says whether this coroutine may run. Whoever holds the baton sets
     * it and unparks (or starts) the thread; the thread clears it before passing the baton on and
     * parks until it is set again. The volatile write and read of `turn` order everything the previous
     * holder did, so kernel state is safely published across every hand-off. Parks loop because park
     * may return spuriously. While this thread runs a scheduling step it is outside any task: its
     * trap-handler slot is cleared, as on the kernel's own thread.
     */
    private static final int OOM_ATTEMPTS = 10_000;

    private final Thread thread;
    private final TrapHandler handler;
    private final Scheduler scheduler;
    private volatile boolean turn;
    private volatile boolean done;
    private boolean started;                              // baton holder only
    private Coroutines.@Nullable Slot slot;               // this coroutine's thread only

    /**
     * Creates the coroutine; its thread starts when the scheduler first picks it.
     *
     * @param body      the task body; must not throw
     * @param handler   the task's trap handler
     * @param name      the thread's name
     * @param scheduler the kernel's scheduling step, run on this thread when the task switches out
     */
    public VirtualThreadCoroutine(Runnable body, TrapHandler handler, String name, Scheduler scheduler) {
        this.handler = handler;
        this.scheduler = scheduler;
        this.thread = Thread.ofVirtual().name(name).unstarted(() -> {
            Coroutines.Slot s = Coroutines.slot();
            slot = s;
            s.handler = handler;
            try {
                body.run();
            } finally {
                done = true;
                s.handler = null;
                scheduler.pass(scheduler.pick());         // never picks this one: it has ended
            }
        });
    }

    /**
     * Passes the baton to this coroutine: starts or unparks its thread. Called by the baton holder,
     * which must pass nothing else afterwards.
     */
    public void grant() {
        if (done) {
            throw new IllegalStateException("coroutine has ended");
        }
        turn = true;
        if (!started) {
            started = true;                               // before the thread runs: it holds the baton then
            try {
                thread.start();
            } catch (Throwable e) {                       // out of memory: nothing was passed
                started = false;
                throw e;
            }
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                LockSupport.unpark(thread);
                return;
            } catch (OutOfMemoryError e) {
                // Unparking a virtual thread allocates. This thread parks next, so a lost unpark would
                // stop the kernel for good (a hang that even SIGTERM cannot end, as the JVM cannot
                // start its handler thread either); memory freed meanwhile may let a later attempt
                // through.
                if (attempt == OOM_ATTEMPTS) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Not used on this backend: the kernel runs its loop with {@link Scheduler#run()}, which resumes
     * coroutines by passing them the baton.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void resume() {
        throw new UnsupportedOperationException("a virtual-thread coroutine is resumed by its Scheduler");
    }

    @Override
    public void suspend() {
        Coroutines.Slot s = slot;
        s.handler = null;
        Coroutine next = scheduler.pick();
        if (next != this) {                               // a lone task that yields carries on at once
            turn = false;
            scheduler.pass(next);
            while (!turn) {
                LockSupport.park(this);
            }
        }
        s.handler = handler;
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public List<StackTraceElement> stackTrace() {
        return started && !done ? List.of(thread.getStackTrace()) : List.of();
    }
}
