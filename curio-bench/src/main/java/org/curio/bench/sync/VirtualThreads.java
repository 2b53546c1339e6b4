package org.curio.bench.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/** Runs baseline bodies on virtual threads and sums their results. */
final class VirtualThreads {
    private VirtualThreads() {}

    /**
     * Runs each body on a virtual thread of its own, waits for all, and returns the sum of their results.
     *
     * @param bodies the bodies
     * @return the sum
     * @throws Exception if a body fails
     */
    @SafeVarargs
    static long runAll(Callable<Long>... bodies) throws Exception {
        List<Callable<Long>> list = new ArrayList<>();
        for (Callable<Long> body : bodies) {
            list.add(body);
        }
        return runList(list);
    }

    /**
     * Runs {@code n} copies of {@code body}, each on a virtual thread; see {@link #runAll}.
     *
     * @param n    the number of copies
     * @param body the body
     * @return the sum of their results
     * @throws Exception if a copy fails
     */
    static long runCopies(int n, Callable<Long> body) throws Exception {
        return runList(java.util.Collections.nCopies(n, body));
    }

    private static long runList(List<Callable<Long>> bodies) throws Exception {
        List<FutureTask<Long>> tasks = new ArrayList<>();
        for (Callable<Long> body : bodies) {
            FutureTask<Long> t = new FutureTask<>(body);
            tasks.add(t);
            Thread.ofVirtual().start(t);
        }
        long sum = 0;
        for (FutureTask<Long> t : tasks) {
            try {
                sum += t.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                throw e;
            }
        }
        return sum;
    }
}
