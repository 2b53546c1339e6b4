package org.curio.workers.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.curio.kernel.spi.Holdings;
import org.curio.sync.Semaphore;

/**
 * A kernel's pool of platform worker threads for {@code runInThread}: at most {@link #permits()}
 * jobs run at once, threads are kept for reuse until the kernel closes, and a permit is returned only
 * when the thread has really finished its job.
 */
public final class ThreadPool implements AutoCloseable, Holdings {
    /*
     * Implementation notes. Each idle thread parks on its own hand-off queue; execute() pops the most
     * recently idle one (warm caches) or starts a new one. A finishing thread clears its interrupt
     * status, goes back to the idle stack and only then returns the permit, so the next job reuses it
     * and the number of threads stays at the limit (plus nested calls, which borrow their caller's
     * permit). Async threads are counted here too, so the ledger sees every thread this module starts.
     */
    /** The default limit on threads running jobs at once (curio's and kotlinx's). */
    public static final int DEFAULT_LIMIT = 64;
    private static final System.Logger LOG = System.getLogger(ThreadPool.class.getName());
    private static final AtomicInteger IDS = new AtomicInteger();

    private final Permits permits = new Permits(DEFAULT_LIMIT);
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Worker> idle = new ArrayDeque<>(); // guarded by lock
    private final List<Thread> all = new ArrayList<>();   // guarded by lock: live pool and async threads
    private final Map<Object, Gate> gates = new HashMap<>(); // blockInThread; the kernel's tasks only
    private boolean closed;                              // guarded by lock

    /** A blockInThread key's one-at-a-time gate and how many tasks use it. */
    public static final class Gate {
        /** Lets one task at a time through. */
        public final Semaphore semaphore = new Semaphore(1);
        /** How many tasks are waiting at or passing through the gate; the kernel's tasks only. */
        public int users;
    }

    /** Creates an empty pool. */
    public ThreadPool() {}

    /** {@return the permits that bound how many jobs run at once} */
    public Permits permits() {
        return permits;
    }

    /**
     * {@return the gate for {@code key}, made on first use} Call from the kernel's tasks only.
     *
     * @param key the callable blocked on
     */
    public Gate gate(Object key) {
        Gate g = gates.computeIfAbsent(key, k -> new Gate());
        g.users++;
        return g;
    }

    /**
     * Leaves the gate for {@code key}, dropping it when nobody else uses it.
     *
     * @param key  the callable blocked on
     * @param gate its gate
     */
    public void leave(Object key, Gate gate) {
        if (--gate.users == 0) {
            gates.remove(key);
        }
    }

    /** {@return how many blockInThread gates exist} */
    public int gates() {
        return gates.size();
    }

    /**
     * Runs {@code job} on a pool thread; the caller holds a permit (or borrows one), which {@code job}
     * is not told about: {@code afterwards} runs on the thread once the job is over.
     *
     * @param job        the job
     * @param afterwards runs after the job and after the thread is idle again, such as returning the permit
     */
    public void execute(Runnable job, Runnable afterwards) {
        Worker w;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the kernel's thread pool is closed");
            }
            w = idle.pollFirst();
            if (w == null) {
                w = new Worker();
                all.add(w.thread);
                w.thread.start();
            }
        } finally {
            lock.unlock();
        }
        w.slot.add(new Job(job, afterwards));
    }

    /**
     * Starts a platform thread that is not a pool thread but is counted with them (an async thread).
     *
     * @param name the thread's name
     * @param body what it runs
     * @return the started thread
     */
    public Thread startThread(String name, Runnable body) {
        Thread[] self = new Thread[1];
        Thread t = Thread.ofPlatform().daemon().name(name).unstarted(() -> {
            try {
                body.run();
            } finally {
                forget(self[0]);
            }
        });
        self[0] = t;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the kernel's thread pool is closed");
            }
            all.add(t);
        } finally {
            lock.unlock();
        }
        t.start();
        return t;
    }

    private void forget(Thread t) {
        lock.lock();
        try {
            all.remove(t);
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many threads this pool has started that are still alive} */
    public int threads() {
        lock.lock();
        try {
            return all.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the idle threads and interrupts the busy ones (jobs abandoned by cancelled tasks), waiting
     * up to a second for them; a thread still running after that is named in a warning.
     */
    @Override
    public void close() {
        List<Thread> threads;
        lock.lock();
        try {
            closed = true;
            threads = new ArrayList<>(all);
            idle.clear();
        } finally {
            lock.unlock();
        }
        threads.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<String> stuck = threads.stream().filter(Thread::isAlive).map(Thread::getName).toList();
        if (!stuck.isEmpty()) {
            LOG.log(Level.WARNING, "kernel closed while worker threads still run their jobs (interrupted, still "
                    + "running after 1 s): " + stuck);
        }
    }

    @Override
    public String toString() {
        return "ThreadPool[threads=" + threads() + ", permits=" + permits.inUse() + "/" + permits.limit() + "]";
    }

    private record Job(Runnable job, Runnable afterwards) {}

    private final class Worker implements Runnable {
        final ArrayBlockingQueue<Job> slot = new ArrayBlockingQueue<>(1);
        final Thread thread = Thread.ofPlatform().daemon().name("curio-worker-" + IDS.incrementAndGet()).unstarted(this);

        @Override
        public void run() {
            try {
                while (true) {
                    Job next;
                    try {
                        next = slot.take();
                    } catch (InterruptedException e) {
                        return;                          // only close() interrupts an idle thread
                    }
                    try {
                        next.job().run();
                    } finally {
                        Thread.interrupted();            // an interrupt aimed at this job must not reach the next
                        boolean keep = idleAgain();
                        next.afterwards().run();
                        if (!keep) {
                            return;
                        }
                    }
                }
            } finally {
                forget(thread);
            }
        }

        private boolean idleAgain() {
            lock.lock();
            try {
                if (closed) {
                    return false;
                }
                idle.addFirst(this);
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    /** {@return this kernel's worker threads, for its ledger} */
    @Override
    public Map<String, Long> holdings() {
        return Map.of("worker threads", (long) threads());
    }
}
