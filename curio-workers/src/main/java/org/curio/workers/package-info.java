/**
 * Work outside the kernel thread: blocking calls in threads, CPU-bound jobs in worker processes, and
 * threads that call back into the kernel. Curio's {@code curio.workers} and {@code curio.thread}.
 *
 * <p>{@link org.curio.workers.Workers} is the entry point. {@code runInThread} hands a blocking call
 * to a bounded pool of platform threads (64 per kernel by default) and suspends the calling task
 * until it returns; {@link org.curio.workers.CancelPolicy} chooses what a cancel does to a thread that
 * cannot be stopped from outside: abandon it (curio's default, with a hook for the late result), wait
 * for it, or interrupt it. {@code blockInThread} lets many tasks that block on one callable share one
 * thread. {@code spawnThread} starts an async thread, represented by a task, whose code reaches the
 * kernel through {@link org.curio.workers.AsyncThread#await}. {@code runInProcess} serializes a job and
 * runs it in one of the kernel's worker JVMs, one per processor, which a cancel kills.
 *
 * <p>{@link org.curio.workers.Subprocess} runs programs with their standard streams as non-blocking
 * pipes and their exit as a readiness event (curio's {@code subprocess}); {@link
 * org.curio.workers.SignalQueue} and {@link org.curio.workers.SignalEvent} let tasks and threads
 * wait for Unix signals (curio's {@code signal} module before 1.0).
 *
 * <p>The pools belong to a kernel: made on first use through {@code Kernel.resource}, closed with it,
 * counted by {@link org.curio.workers.Workers#ledger}. Every wait here is a {@code FutureWait} trap,
 * so a task waiting for a thread or a process counts as waiting for the outside world: a virtual
 * clock does not jump past it until its autojump threshold has passed in real time.
 *
 * <p><b>Implementation.</b> A thread and the task that waits for it meet in a bridge: the thread
 * posts kernel operations and finally its outcome; the task runs the operations (so cancellation
 * reaches them as it reaches any task) and reads the outcome. A worker JVM is started with this JVM's
 * {@code java}, its class path, module path and patched classes all on the worker's class path, and
 * {@code -XX:+ExitOnOutOfMemoryError}; it talks to its parent over a loopback socket that only it can
 * claim, so what a job prints cannot corrupt the channel, and it exits when its parent closes its
 * standard input, which happens when the parent dies.
 */
@NullMarked
package org.curio.workers;

import org.jspecify.annotations.NullMarked;
