/**
 * The monitor console and the JMX view of kernels: a JVM-wide registry of consoles (one listener per
 * address, serving every kernel registered on it), the client sessions, and a per-kernel inspector
 * that takes snapshots of the kernel's tasks from another thread without disturbing it.
 *
 * <p>Nothing here runs as a kernel task and nothing here changes kernel state: a snapshot is taken on
 * the kernel thread through its hand-off queue when the kernel answers within a quarter of a second,
 * and otherwise (a task that never reaches a trap holds the kernel) by reading the task list without
 * synchronisation; a cancellation always goes through the hand-off queue.
 */
@NullMarked
package org.curio.kernel.internal.monitor;

import org.jspecify.annotations.NullMarked;
