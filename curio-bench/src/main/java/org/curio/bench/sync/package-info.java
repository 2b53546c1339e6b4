/**
 * JMH benchmarks of curio-sync, each beside the same work done with {@code java.util.concurrent}
 * between virtual threads: event ping-pong ({@link org.curio.bench.sync.EventBenchmark}), uncontended
 * and contended locks ({@link org.curio.bench.sync.LockBenchmark}), a queue between two tasks
 * ({@link org.curio.bench.sync.QueueBenchmark}) and a universal queue from a thread to a task
 * ({@link org.curio.bench.sync.UniversalQueueBenchmark}).
 */
@NullMarked
package org.curio.bench.sync;

import org.jspecify.annotations.NullMarked;
