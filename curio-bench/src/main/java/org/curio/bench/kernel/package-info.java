/**
 * Benchmarks of the kernel itself: the trap round trip ({@code schedule()} between tasks), spawn and
 * join, and the heap footprint of a million sleeping tasks, each beside a virtual-thread or
 * {@code java.util.concurrent} baseline doing the same work.
 *
 * <p>The JMH benchmarks run every curio case on both coroutine backends (the {@code backend}
 * parameter of {@link org.curio.bench.kernel.BackendState}); their forks always get the JVM export
 * the continuation backend needs. {@link org.curio.bench.kernel.SleepingTasks} is a plain program,
 * not a JMH benchmark, because it measures live heap rather than time.
 */
@NullMarked
package org.curio.bench.kernel;

import org.jspecify.annotations.NullMarked;
