package org.curio.kernel;

/** Rethrows a caught throwable whose checked types the caller already declares. */
final class Throwing {
    private Throwing() {}

    /**
     * Throws {@code e} without wrapping. Callers pass only exceptions that their own {@code throws}
     * clause covers (the body's {@code X}, {@code CancelledException}, unchecked ones).
     */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException rethrow(Throwable e) throws E {
        throw (E) e;
    }
}
