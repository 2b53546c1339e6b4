package org.curio.traps.internal;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.curio.traps.spi.Coroutine;
import org.curio.traps.spi.TrapHandler;
import org.jspecify.annotations.Nullable;

/** A coroutine that is a virtual thread, handed control back and forth with park/unpark. */
public final class VirtualThreadCoroutine extends Coroutine {
    /*
     * Implementation notes. `turn` says who may run. The kernel sets TASK and unparks the task's
     * thread, then parks until the task sets KERNEL (on suspending or ending) and unparks it. The
     * volatile writes and reads of `turn` order everything each side did before handing over, so
     * kernel state touched by the task's trap handler is safely published. Both parks loop because
     * park may return spuriously.
     */
    private static final int KERNEL = 0;
    private static final int TASK = 1;
    private static final int OOM_ATTEMPTS = 10_000;

    private final Thread thread;
    private volatile int turn = KERNEL;
    private volatile boolean done;
    private volatile @Nullable Thread kernelThread;
    private boolean started;                              // kernel only

    /**
     * Creates the coroutine; its thread starts on the first resume.
     *
     * @param body    the task body; must not throw
     * @param handler the task's trap handler
     * @param name    the thread's name
     */
    public VirtualThreadCoroutine(Runnable body, TrapHandler handler, String name) {
        this.thread = Thread.ofVirtual().name(name).unstarted(() -> {
            Coroutines.slot().handler = handler;
            try {
                body.run();
            } finally {
                done = true;
                handOver(KERNEL, kernelThread);
            }
        });
    }

    @Override
    public void resume() {
        if (done) {
            throw new IllegalStateException("coroutine has ended");
        }
        kernelThread = Thread.currentThread();
        turn = TASK;
        if (started) {
            LockSupport.unpark(thread);
        } else {
            started = true;
            thread.start();
        }
        while (turn == TASK) {
            LockSupport.park(this);
        }
    }

    @Override
    public void suspend() {
        handOver(KERNEL, kernelThread);
        while (turn == KERNEL) {
            LockSupport.park(this);
        }
    }

    private void handOver(int to, @Nullable Thread other) {
        turn = to;
        for (int attempt = 1; ; attempt++) {
            try {
                LockSupport.unpark(other);
                return;
            } catch (OutOfMemoryError e) {
                // Unparking a virtual thread allocates. The other side parks until it is unparked, so
                // a lost unpark would stop the kernel for good (a hang that even SIGTERM cannot end,
                // as the JVM cannot start its handler thread either); memory freed meanwhile (this
                // task's own, as it ends) may let a later attempt through.
                if (attempt == OOM_ATTEMPTS) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
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
