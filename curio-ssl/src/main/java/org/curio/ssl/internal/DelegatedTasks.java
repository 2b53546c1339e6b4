package org.curio.ssl.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker threads that run an {@link javax.net.ssl.SSLEngine}'s delegated tasks (certificate path
 * checks, key agreement), which may block and must not run on a kernel thread. A few daemon threads,
 * started on demand and stopped after a minute idle, so an idle program holds none.
 */
public final class DelegatedTasks {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ExecutorService POOL = pool();

    private DelegatedTasks() {}

    private static ExecutorService pool() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "curio-tls-task-" + COUNT.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * {@return a future completed when {@code task} has run on a worker thread}
     *
     * @param task a delegated task of an engine
     */
    public static CompletableFuture<Void> start(Runnable task) {
        return CompletableFuture.runAsync(task, POOL);
    }
}
