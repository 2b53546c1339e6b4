/**
 * Benchmarks of curio-workers: a {@code runInThread} round trip beside {@code CompletableFuture}s on a
 * platform pool and on virtual threads ({@link org.curio.bench.workers.RunInThreadBenchmark}, JMH), and
 * the pool of worker JVMs beside a {@code ProcessBuilder} per call
 * ({@link org.curio.bench.workers.ProcessPoolHarness}, a plain program: a process start is too heavy
 * for JMH's many iterations).
 * Subprocesses: spawn-and-wait and bulk piping beside {@link java.lang.ProcessBuilder}
 * ({@link org.curio.bench.workers.SubprocessBench}).
 */
@NullMarked
package org.curio.bench.workers;

import org.jspecify.annotations.NullMarked;
