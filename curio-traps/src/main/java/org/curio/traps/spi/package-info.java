/**
 * The door between traps and the kernel, exported to {@code org.curio.kernel} only: the
 * {@link org.curio.traps.spi.TrapHandler} a kernel installs for each task, the
 * {@link org.curio.traps.spi.Coroutine} backends that switch between tasks and their kernel, and the
 * kernel's access to {@link org.curio.traps.WaitQueue}s.
 */
@NullMarked
package org.curio.traps.spi;

import org.jspecify.annotations.NullMarked;
