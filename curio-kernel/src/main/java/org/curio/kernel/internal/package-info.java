/**
 * The kernel's implementation: the run loop and trap handlers ({@code KernelLoop}), the kernel's task
 * object, the timer queue and readiness waiting. Never exported.
 *
 * <p>Kernel state is confined: it is touched only by the kernel loop and by trap handlers, which run
 * on the stack of the task that issued the trap while the loop waits for it. The only door in from
 * other threads is {@code KernelLoop.handOff} plus a poller wake-up.
 */
@NullMarked
package org.curio.kernel.internal;

import org.jspecify.annotations.NullMarked;
