package org.curio.workers.internal;

/** Rethrows a failure carried across threads unchanged, checked or not. */
final class Sneaky {
    private Sneaky() {}

    /**
     * Throws {@code e} as it is; declared to return so callers can write {@code throw rethrow(e)}.
     *
     * @param e   the failure
     * @param <X> what the compiler is told it is
     * @return never
     * @throws X always
     */
    @SuppressWarnings("unchecked")
    static <X extends Throwable> RuntimeException rethrow(Throwable e) throws X {
        throw (X) e;
    }
}
