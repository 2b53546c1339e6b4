/**
 * Traps, the task view, wait queues and the exceptions of curio.
 *
 * <p>A task is ordinary sequential Java that runs as a coroutine inside a kernel. It gives up control
 * only by issuing a {@link org.curio.traps.Trap} through {@link org.curio.traps.Traps#call}: the
 * kernel carries out the request and later resumes the task with a value or an exception. Traps come
 * in two kinds, and the type system knows which is which:
 *
 * <ul>
 *   <li>{@link org.curio.traps.Trap.Suspending} traps may switch the task out. Each is a
 *       <em>cancellation point</em>: a pending cancellation or timeout is delivered there, as a
 *       {@link org.curio.traps.CancelledException}, which is checked so that the compiler marks every
 *       place a task can be switched out;</li>
 *   <li>{@link org.curio.traps.Trap.Immediate} traps are answered at once, never switch and never
 *       throw {@code CancelledException}.</li>
 * </ul>
 *
 * <p>An operation that may wait but need not (a read that finds data) draws on the task's cooperative
 * budget with {@link org.curio.traps.Traps#consumeBudget()} and yields when it is spent, so every task
 * gets its turn.
 *
 * <p>Failures that are not cancellation are unchecked, under {@link org.curio.traps.CurioException}.
 */
@NullMarked
package org.curio.traps;

import org.jspecify.annotations.NullMarked;
