package org.curio.io.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.curio.traps.CancelledException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;

/**
 * Runs blocking calls (name lookup, file I/O) on a virtual thread while the calling task waits with a
 * {@link Trap.FutureWait} trap, so the kernel thread never blocks.
 */
public final class Offload {
    /*
     * Implementation notes. One fresh virtual thread per call: they cost about a microsecond and
     * never pin the kernel. A cancelled wait abandons the future; the call still runs to its end on
     * its thread and its outcome is dropped (callers that must not lose it chain a continuation).
     */
    /** Starts a virtual thread per command. */
    public static final Executor EXECUTOR = command -> Thread.ofVirtual().name("curio-io-offload").start(command);

    private Offload() {}

    /** A blocking call that may fail with an {@link IOException}. */
    @FunctionalInterface
    public interface IoCall<T> {
        /**
         * Makes the call.
         *
         * @return its value
         * @throws IOException if it fails
         */
        T call() throws IOException;
    }

    /**
     * Suspends the calling task until {@code call}, run on a virtual thread, has finished, and returns
     * its value.
     *
     * @param call the blocking call
     * @param <T>  the value type
     * @return the call's value
     * @throws IOException        the call's failure
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public static <T> T call(IoCall<T> call) throws IOException, CancelledException {
        return await(start(call));
    }

    /**
     * Starts {@code call} on a virtual thread. Never suspends.
     *
     * @param call the blocking call
     * @param <T>  the value type
     * @return its future; an {@link IOException} is wrapped in an {@link UncheckedIOException}
     */
    public static <T> CompletableFuture<T> start(IoCall<T> call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, EXECUTOR);
    }

    /**
     * Suspends the calling task until {@code future} is done and returns its value, unwrapping the
     * failure of a call made by {@link #start}.
     *
     * @param future the future
     * @param <T>    the value type
     * @return the value
     * @throws IOException        the call's I/O failure
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public static <T> T await(CompletableFuture<T> future) throws IOException, CancelledException {
        if (!future.isDone()) {
            Traps.call(new Trap.FutureWait(future));
        }
        return outcome(future);
    }

    /**
     * Returns the value of a completed future, unwrapping its failure. Never suspends.
     *
     * @param future a completed future
     * @param <T>    the value type
     * @return the value
     * @throws IOException the call's I/O failure
     */
    public static <T> T outcome(CompletableFuture<T> future) throws IOException {
        return switch (future.state()) {
            case SUCCESS -> future.resultNow();
            case FAILED -> throw unwrap(future.exceptionNow());
            case CANCELLED -> throw new IOException("offloaded call was cancelled");
            case RUNNING -> throw new IllegalStateException("offloaded call has not finished");
        };
    }

    private static IOException unwrap(Throwable failure) {
        Throwable e = failure;
        if (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof UncheckedIOException u) {
            return u.getCause();
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IOException("offloaded call failed", e);
    }
}
