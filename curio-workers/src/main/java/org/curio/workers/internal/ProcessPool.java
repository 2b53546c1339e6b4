package org.curio.workers.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.curio.kernel.spi.Holdings;

/**
 * A kernel's pool of worker JVMs: started lazily, at most {@link #permits()} at once (the number of
 * processors by default), kept warm between jobs, dropped when they die or are killed, and killed when
 * the kernel closes.
 */
public final class ProcessPool implements AutoCloseable, Holdings {
    private static final System.Logger LOG = System.getLogger(ProcessPool.class.getName());

    private final Permits permits = new Permits(Runtime.getRuntime().availableProcessors());
    private final Object lock = new Object();
    private final ArrayDeque<ProcessWorker> idle = new ArrayDeque<>(); // guarded by lock
    private final Set<ProcessWorker> all = new LinkedHashSet<>();       // guarded by lock
    private final AtomicInteger processes = new AtomicInteger();        // started and not yet reaped
    private volatile List<String> options;
    private boolean closed;                              // guarded by lock

    /**
     * Creates an empty pool.
     *
     * @param options extra JVM options for the workers, such as {@code -Xmx256m}
     */
    public ProcessPool(List<String> options) {
        this.options = List.copyOf(options);
    }

    /**
     * Sets the extra JVM options of workers started from now on.
     *
     * @param newOptions the options
     */
    public void options(List<String> newOptions) {
        this.options = List.copyOf(newOptions);
    }

    /**
     * Starts workers until there are as many as the limit, idle and ready.
     *
     * @return completed when each has connected, or failed with why one could not start
     */
    public CompletableFuture<Void> prestart() {
        List<CompletableFuture<Long>> starts = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the kernel's process pool is closed");
            }
            for (int n = permits.limit() - all.size(); n > 0; n--) {
                ProcessWorker w = new ProcessWorker(this, options);
                all.add(w);
                idle.addLast(w);
            }
            all.forEach(w -> starts.add(w.started()));
        }
        return CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new));
    }

    /** {@return the permits that bound how many workers exist} */
    public Permits permits() {
        return permits;
    }

    /** {@return an idle live worker, or a new one that starts now} The caller holds a permit. */
    public ProcessWorker take() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the kernel's process pool is closed");
            }
            ProcessWorker w;
            while ((w = idle.pollFirst()) != null) {
                if (!w.reaped().isDone()) {
                    return w;
                }
            }
            w = new ProcessWorker(this, options);
            all.add(w);
            return w;
        }
    }

    /**
     * Returns a worker that finished its job; a dead one is dropped.
     *
     * @param w the worker
     */
    public void give(ProcessWorker w) {
        synchronized (lock) {
            if (!closed && !w.reaped().isDone()) {
                idle.addFirst(w);
            }
        }
    }

    void processStarted() {
        processes.incrementAndGet();
    }

    void processEnded(ProcessWorker w, boolean hadProcess) {
        if (hadProcess) {
            processes.decrementAndGet();
        }
        synchronized (lock) {
            all.remove(w);
            idle.remove(w);
        }
    }

    /** {@return how many worker processes are alive or not yet reaped} */
    public int processes() {
        return processes.get();
    }

    /** {@return the ids of the live workers' processes} */
    public List<Long> pids() {
        synchronized (lock) {
            return all.stream().map(ProcessWorker::pid).filter(p -> p > 0).toList();
        }
    }

    /** Kills every worker and waits (up to 5 s) until each is reaped. */
    @Override
    public void close() {
        List<ProcessWorker> workers;
        synchronized (lock) {
            closed = true;
            workers = new ArrayList<>(all);
            idle.clear();
        }
        workers.forEach(ProcessWorker::kill);
        try {
            CompletableFuture.allOf(workers.stream().map(ProcessWorker::reaped).toArray(CompletableFuture[]::new))
                    .get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            LOG.log(Level.WARNING, "worker processes not reaped 5 s after the kernel closed: " + pids());
        }
    }

    @Override
    public String toString() {
        return "ProcessPool[processes=" + processes() + ", permits=" + permits.inUse() + "/" + permits.limit() + "]";
    }

    /** {@return this kernel's worker processes, for its ledger} */
    @Override
    public Map<String, Long> holdings() {
        return Map.of("worker processes", (long) processes());
    }
}
