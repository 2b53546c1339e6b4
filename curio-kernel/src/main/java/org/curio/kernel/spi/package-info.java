/**
 * Hooks into a kernel: {@link org.curio.kernel.spi.Activation}s observe every task's life (the
 * debug tracers of {@link org.curio.kernel.Debug} are built on them), and a
 * {@link org.curio.kernel.spi.KernelClock} supplies the time.
 */
@NullMarked
package org.curio.kernel.spi;

import org.jspecify.annotations.NullMarked;
