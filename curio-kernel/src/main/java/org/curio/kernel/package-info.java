/**
 * The curio kernel and the task model built directly on it.
 *
 * <p>A {@link org.curio.kernel.Kernel} runs tasks: sequential bodies of code that it switches only
 * where they issue a suspending {@link org.curio.traps.Trap}. Around the kernel this package offers
 * curio's task-level vocabulary:
 *
 * <ul>
 *   <li>{@link org.curio.kernel.Curio}: run a program, spawn tasks, find the current task, yield,
 *       wait for a {@code CompletableFuture} completed by another thread;</li>
 *   <li>{@link org.curio.kernel.Timeouts}: sleep, the kernel clock, and nesting timeout blocks
 *       ({@code after}, {@code ignoreAfter}) with curio's exact rules;</li>
 *   <li>{@link org.curio.kernel.TaskGroup}: supervise a set of tasks (wait for all, any, the first
 *       non-null result, or none), in try-with-resources or functional form;</li>
 *   <li>{@link org.curio.kernel.Cancellation}: shield a block from cancellation, check or set a pending
 *       cancellation;</li>
 *   <li>{@link org.curio.kernel.TaskLocal}: task-local values that children inherit;</li>
 *   <li>{@link org.curio.kernel.VirtualClock}: a clock that jumps to the next deadline whenever every
 *       task is blocked, so tests of timeouts run instantly and exactly;</li>
 *   <li>{@link org.curio.kernel.Debug}: tracers built on {@link org.curio.kernel.spi.Activation}s.</li>
 * </ul>
 *
 * <p><b>Layers.</b> Three, as in curio:
 * <ol>
 *   <li><em>The kernel loop</em> ({@code org.curio.kernel.internal.KernelLoop}, not exported): runs
 *       tasks, waits for I/O and timers, and carries out every {@link org.curio.traps.Trap} in one
 *       exhaustive {@code switch}. Its task object holds kernel state only. {@link org.curio.kernel.Kernel}
 *       is the thin public shell that builds, runs and closes it, and {@link org.curio.kernel.Curio},
 *       {@link org.curio.kernel.Ledger}, {@link org.curio.kernel.VirtualClock} and
 *       {@link org.curio.kernel.Debug} go with it.</li>
 *   <li><em>Traps</em> (module {@code org.curio.traps}): the whole interface between a task and its
 *       kernel. Besides waiting, spawning and cancelling, a few immediate traps serve library features:
 *       a per-task {@linkplain org.curio.traps.TaskSlot slot} for library state, the swaps of
 *       {@linkplain org.curio.traps.Trap.AllowCancel allowed} and
 *       {@linkplain org.curio.traps.Trap.SetCancellation pending} cancellation, and
 *       {@linkplain org.curio.traps.Trap.WakeOnExit a wake-up when a task ends}.</li>
 *   <li><em>Library features over traps</em>: {@link org.curio.kernel.Timeouts},
 *       {@link org.curio.kernel.TaskGroup}, {@link org.curio.kernel.Cancellation} and
 *       {@link org.curio.kernel.TaskLocal} here, and every primitive of the other modules. They never
 *       use the kernel's classes (a test checks it), so the kernel knows nothing of timeout blocks,
 *       groups or task-locals beyond what a trap tells it.</li>
 * </ol>
 *
 * <p><b>The loop.</b> Each turn of the kernel waits for I/O readiness (without blocking when tasks are
 * ready, until the next deadline otherwise), takes hand-offs from other threads, expires timers, and
 * then runs every task that was ready at that moment once, in FIFO order, so the order of events is
 * deterministic.
 *
 * <p><b>Every task gets its turn.</b> A task switches only at a suspending trap, and an operation that
 * finds its data or room at once (a socket read when bytes are there, a put into a queue with room)
 * issues none, so a task whose peer never makes it wait would run forever. The kernel therefore gives
 * each task a cooperative budget, as Tokio does: whenever the kernel resumes a task, the task may do
 * {@linkplain org.curio.kernel.Kernel.Builder#cooperativeBudget 128 operations} (by default); each I/O
 * or queue operation draws one unit before it acts ({@link org.curio.traps.Trap.Budget}), and the
 * operation that finds the budget spent first yields, so every other ready task runs, the kernel polls
 * for I/O and timers fire. The yield is a cancellation point that comes before the operation moves any
 * byte or item, so a cancellation delivered there loses nothing.
 */
@NullMarked
package org.curio.kernel;

import org.jspecify.annotations.NullMarked;
