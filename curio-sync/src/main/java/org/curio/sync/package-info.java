/**
 * Synchronization primitives and queues for curio tasks, and universal ones shared with plain threads
 * and other kernels. Curio: {@code sync.py} and {@code queue.py}.
 *
 * <h2>Two families</h2>
 *
 * <p><b>Task-only</b> ({@link org.curio.sync.Event}, {@link org.curio.sync.Lock},
 * {@link org.curio.sync.RLock}, {@link org.curio.sync.Semaphore}, {@link org.curio.sync.BoundedSemaphore},
 * {@link org.curio.sync.Condition}, {@link org.curio.sync.Result}, and the {@link org.curio.sync.TaskQueue}s
 * {@link org.curio.sync.Queue}, {@link org.curio.sync.LifoQueue}, {@link org.curio.sync.PriorityQueue}):
 * used by the tasks of one kernel, which run one at a time, so they need no locks of their own. Waiting
 * tasks park on a {@link org.curio.traps.WaitQueue} through the {@code SchedWait} trap and are released
 * by {@code SchedWake}. Calling them from anything but a curio task throws
 * {@link java.lang.IllegalStateException} naming the primitive.
 *
 * <p><b>Universal</b> ({@link org.curio.sync.UniversalQueue}, {@link org.curio.sync.UniversalEvent},
 * {@link org.curio.sync.UniversalResult}): the same methods work from a task of any kernel, which
 * suspends on a future through the {@code FutureWait} trap, and from a plain platform or virtual
 * thread, which blocks (an interrupt ends its wait with a {@link org.curio.traps.TaskCancelledException}).
 * The one exception is taking from a {@link org.curio.sync.UniversalQueue}: a task calls
 * {@code get()}, a thread {@code take()}, which an interrupt ends with
 * {@link java.lang.InterruptedException}. A small internal lock guards their state; it is never held
 * while anyone waits.
 *
 * <p><b>End of stream.</b> Every queue can be closed: puts then fail, getters drain the items left and
 * then see {@link org.curio.sync.EndOfQueueException}.
 *
 * <h2>Promises</h2>
 *
 * <ul>
 *   <li><b>Fair hand-off.</b> A released lock or permit goes straight to the longest waiter, and an
 *       item or a free place is reserved for the longest waiting getter or putter; a newcomer cannot
 *       barge in.</li>
 *   <li><b>A wake-up beats a racing cancel.</b> A waiter that was handed a lock, a permit, an item or a
 *       place and is cancelled before it runs keeps it; the cancellation arrives at its next blocking
 *       call.</li>
 *   <li><b>Nothing lost, nothing duplicated.</b> A cancelled or timed-out {@code acquire}, {@code get}
 *       or {@code put} leaves the primitive as if it had never waited. A universal wait abandoned just
 *       as it was granted passes the grant on, so the item stays first in line.</li>
 *   <li><b>Conditions keep their lock.</b> A {@link org.curio.sync.Condition#await()} that is
 *       cancelled or times out still takes the lock back before it throws.</li>
 *   <li><b>Bad use fails at the call</b>: releasing a lock the task does not hold, over-releasing a
 *       {@link org.curio.sync.BoundedSemaphore}, a negative size, a task-only primitive used from a
 *       plain thread or shared by two kernels.</li>
 * </ul>
 *
 * <p>Locks, semaphores and conditions offer {@code acquired()}, which returns a
 * {@link org.curio.sync.Held} for try-with-resources. Every type has {@code statistics()} (a record)
 * and a {@code toString()} ending in its state, such as {@code Lock[locked, waiting=2]}.
 */
@NullMarked
package org.curio.sync;

import org.jspecify.annotations.NullMarked;
