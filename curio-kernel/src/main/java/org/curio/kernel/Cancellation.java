package org.curio.kernel;

import java.util.Objects;
import java.util.Optional;

import org.curio.traps.CancelledException;
import org.curio.traps.CurioException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/**
 * Control over when cancellation reaches the calling task: shield a block from it, check for a
 * pending one, or set one.
 *
 * {@snippet :
 * try (var shield = Cancellation.shield()) {
 *     connection.sendGoodbye();      // cancellation and timeouts are held back in here
 * }                                  // ...and a held-back one is thrown here
 * }
 *
 * <p><b>Shielding.</b> Inside a shielded block, a cancellation or timeout aimed at the task is kept
 * pending instead of being thrown at cancellation points. When the outermost shielded block ends, a
 * pending cancellation is thrown right there; the end of an inner block keeps it pending. A
 * {@link CancelledException} thrown explicitly inside an inner block (functional form) is made
 * pending rather than propagated, as in curio.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/task.py">curio's disable_cancellation</a>
 */
public final class Cancellation {
    /*
     * Implementation notes. Built on two immediate traps, as curio builds it on two task attributes:
     * AllowCancel swaps whether cancellation may be delivered, SetCancellation swaps the pending
     * cancellation. Reading either is a swap and a swap back; immediate traps never switch tasks, so
     * nothing can happen in between.
     */
    private Cancellation() {}

    /** A shielded region; {@link #close()} ends it. */
    public static final class Shield implements AutoCloseable {
        private final boolean previous;
        private boolean closed;

        private Shield() {
            this.previous = allow(false);
        }

        /**
         * Ends the region. If it was the outermost one and a cancellation is pending, throws it.
         *
         * @throws CancelledException the cancellation held back during the region
         */
        @Override
        public void close() throws CancelledException {
            if (closed) {
                return;
            }
            closed = true;
            allow(previous);
            if (previous) {
                deliverPending();
            }
        }
    }

    /**
     * Starts a shielded region for the calling task; close it with try-with-resources. Never suspends.
     *
     * @return the region
     */
    public static Shield shield() {
        return new Shield();
    }

    /**
     * Runs {@code body} shielded from cancellation. Curio: {@code disable_cancellation}.
     *
     * @param body the block
     * @param <T>  the value type
     * @param <X>  the block's checked exception
     * @return the block's value
     * @throws X                  the block's own failure
     * @throws CancelledException a cancellation held back during the block, if this was the outermost
     *                            shielded region, or one the block threw itself there
     */
    public static <T, X extends Exception> T disable(Body<T, X> body) throws X, CancelledException {
        Objects.requireNonNull(body, "body");
        boolean previous = allow(false);
        T result;
        try {
            result = body.call();
        } catch (CancelledException e) {
            allow(previous);
            if (!previous) {
                swapPending(e);              // an outer region is still shielding: hold it back
                return null;
            }
            throw e;
        } catch (RuntimeException | Error e) {
            allow(previous);
            throw e;
        } catch (Exception e) {             // the block's own X, rethrown unchanged
            allow(previous);
            throw Throwing.<X>rethrow(e);
        }
        allow(previous);
        if (previous) {
            deliverPending();
        }
        return result;
    }

    /**
     * Runs {@code body} shielded from cancellation; see {@link #disable(Body)}.
     *
     * @param body the block
     * @param <X>  the block's checked exception
     * @throws X                  the block's own failure
     * @throws CancelledException a cancellation held back during the block (outermost region only)
     */
    public static <X extends Exception> void disable(VoidBody<X> body) throws X, CancelledException {
        disable(Objects.requireNonNull(body, "body").asBody());
    }

    /**
     * Checks for a pending cancellation. If cancellation is allowed here and one is pending, it is
     * thrown (and cleared); inside a shielded region it is returned without being cleared. Never
     * suspends. Curio: {@code check_cancellation()}.
     *
     * @return the pending cancellation inside a shielded region, otherwise empty
     * @throws CancelledException the pending cancellation, where cancellation is allowed
     */
    public static Optional<Exception> check() throws CancelledException {
        Exception pending = swapPending(null);
        if (pending == null) {
            return Optional.empty();
        }
        if (isAllowed()) {
            throw asCancelled(pending);
        }
        swapPending(pending);                 // shielded: it stays pending
        return Optional.of(pending);
    }

    /**
     * Checks for a pending cancellation of type {@code type}: if one is pending and cancellation is
     * allowed it is thrown and cleared; inside a shielded region it is returned and cleared. Other
     * pending cancellations are left alone. Never suspends. Curio: {@code check_cancellation(type)}.
     *
     * @param type the kind of cancellation to look for
     * @param <E>  that kind
     * @return the pending cancellation of that kind inside a shielded region, otherwise empty
     * @throws CancelledException the pending cancellation of that kind, where cancellation is allowed
     */
    public static <E extends Exception> Optional<E> check(Class<E> type) throws CancelledException {
        Objects.requireNonNull(type, "type");
        Exception pending = swapPending(null);
        if (!type.isInstance(pending)) {
            if (pending != null) {
                swapPending(pending);         // another kind: left alone
            }
            return Optional.empty();
        }
        if (isAllowed()) {
            throw asCancelled(pending);
        }
        return Optional.of(type.cast(pending));
    }

    /**
     * Replaces the calling task's pending cancellation. Never suspends. Curio: {@code set_cancellation}.
     *
     * @param exception the new pending cancellation: a {@link CancelledException} or unchecked
     * @return the one it replaced, if any
     */
    public static Optional<Exception> set(Exception exception) {
        Objects.requireNonNull(exception, "exception");
        if (!(exception instanceof CancelledException) && !(exception instanceof RuntimeException)) {
            throw new IllegalArgumentException("cancellation must be a CancelledException or unchecked: "
                    + exception.getClass().getName());
        }
        return Optional.ofNullable(swapPending(exception));
    }

    /** {@return whether cancellation can reach the calling task now (it is not shielded)} Never suspends. */
    public static boolean isAllowed() {
        boolean allowed = allow(false);
        allow(allowed);
        return allowed;
    }

    /** Sets whether cancellation may reach the calling task; returns the previous setting. */
    private static boolean allow(boolean allow) {
        return Traps.call(new Trap.AllowCancel(allow));
    }

    /** Replaces the calling task's pending cancellation; returns the previous one. */
    private static @Nullable Exception swapPending(@Nullable Exception exception) {
        return Traps.call(new Trap.SetCancellation(exception));
    }

    private static void deliverPending() throws CancelledException {
        Exception pending = swapPending(null);
        if (pending != null) {
            throw asCancelled(pending);
        }
    }

    private static CancelledException asCancelled(Exception e) throws CancelledException {
        if (e instanceof CancelledException c) {
            throw c;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        throw new CurioException("unexpected pending cancellation", e);
    }
}
