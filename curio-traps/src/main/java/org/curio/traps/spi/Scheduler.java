package org.curio.traps.spi;

import java.util.concurrent.locks.LockSupport;

import org.curio.traps.internal.VirtualThreadCoroutine;
import org.jspecify.annotations.Nullable;

/**
 * A kernel's run loop on the virtual-thread backend, cut into steps that whichever thread holds the
 * baton runs: a task that suspends or ends runs the next step on its own thread and hands control
 * straight to the task the step picked, with no loop thread in between (one hand-off per switch).
 *
 * <p>The thread that calls {@link #run()} runs the first step, then parks until a step answers
 * {@code null} (the run is over) and the baton comes back to it.
 */
public abstract class Scheduler {
    /*
     * Implementation notes. Exactly one thread holds the baton: the caller of run() until it passes it
     * to the first coroutine, then each coroutine's thread in turn, then the caller again. Each pass
     * is a volatile write of the receiver's turn flag followed by an unpark, and the receiver reads
     * the flag before touching anything, so whatever one holder wrote happens-before the next one
     * reads it. `home` and `failure` are written and read by holders only.
     */
    private static final int OOM_ATTEMPTS = 10_000;

    private volatile boolean homeTurn;
    private @Nullable Thread home;
    private @Nullable Throwable failure;

    /** For kernels. */
    protected Scheduler() {}

    /**
     * One step of the loop, run by the thread that holds the baton: it finishes the switch away from
     * the coroutine that has just suspended or ended (if any), then does the loop's work until it
     * finds the coroutine to run next, which may be the caller's own.
     *
     * @return the coroutine to run next, or null when the run is over
     */
    protected abstract @Nullable Coroutine next();

    /**
     * Runs the loop with the calling thread as its home: runs the first step here, passes the baton to
     * the coroutine it picked, and parks until a step answers null.
     *
     * @throws RuntimeException whatever a step threw, on whichever thread it ran
     * @throws Error            likewise
     */
    public final void run() {
        failure = null;
        homeTurn = false;
        home = Thread.currentThread();
        Coroutine first = next();
        if (first != null) {
            ((VirtualThreadCoroutine) first).grant();
            while (!homeTurn) {
                LockSupport.park(this);
            }
        }
        home = null;
        Throwable e = failure;
        failure = null;
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException("a step of the run loop failed", e);
        }
    }

    /**
     * Runs a step on the calling coroutine's thread, which holds the baton. For the backend.
     *
     * @return the coroutine to run next, or null if the run is over or the step failed (the baton
     *         then goes home with {@link #pass})
     */
    public final @Nullable Coroutine pick() {
        try {
            return next();
        } catch (Throwable e) {
            failure = e;
            return null;
        }
    }

    /**
     * Passes the baton to {@code next}, or home if it is null or cannot be started. The caller must
     * touch no kernel state afterwards. For the backend.
     *
     * @param next what {@link #pick()} answered; not the caller
     */
    public final void pass(@Nullable Coroutine next) {
        if (next != null) {
            try {
                ((VirtualThreadCoroutine) next).grant();
                return;
            } catch (Throwable e) {                       // its thread could not be started
                failure = e;
            }
        }
        goHome();
    }

    private void goHome() {
        Thread h = home;
        homeTurn = true;
        for (int attempt = 1; ; attempt++) {
            try {
                LockSupport.unpark(h);
                return;
            } catch (OutOfMemoryError e) {
                // Unparking a virtual thread allocates; a lost unpark would stop the kernel for good.
                if (attempt == OOM_ATTEMPTS) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }
}
