package org.curio.workers;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A job for {@link Workers#runInProcess(ProcessCallable)}: a callable that is serialized, sent to a
 * worker JVM and run there. A lambda written where a {@code ProcessCallable} is expected is
 * serializable, and so is everything it captures only if their classes are.
 *
 * @param <T> the result type, which must be serializable too
 */
@FunctionalInterface
public interface ProcessCallable<T> extends Callable<T>, Serializable {}
