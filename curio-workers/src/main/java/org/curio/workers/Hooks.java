package org.curio.workers;

import java.lang.System.Logger.Level;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.curio.workers.internal.Bridge;

/** Small pieces shared by the worker entry points. */
final class Hooks {
    private static final System.Logger LOG = System.getLogger(Workers.class.getName());

    private Hooks() {}

    /** Runs a late-result hook; its failure is logged, as nobody waits for it. */
    static <T> void run(Consumer<? super Future<T>> hook, Future<T> outcome) {
        try {
            hook.accept(outcome);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "the late-result hook of an abandoned runInThread call failed", e);
        }
    }

    /** Returns the thread's result or throws its failure, typed as the body declared it. */
    @SuppressWarnings("unchecked")
    static <T, X extends Exception> T result(Bridge<T> bridge) throws X {
        try {
            return bridge.resultOrThrow();
        } catch (Exception e) {
            throw (X) e;   // the body's own X, an unchecked exception, or a CancelledException it threw
        }
    }
}
