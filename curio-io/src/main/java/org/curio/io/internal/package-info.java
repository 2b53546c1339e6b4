/**
 * The machinery under {@code org.curio.io}; never exported, and the only place Netty appears.
 *
 * <ul>
 *   <li>{@link org.curio.io.internal.NativeFd}: one open descriptor and its identity for the kernel
 *       (a {@link org.curio.traps.Pollable}), with the one system-call helper every proxy is built
 *       from ("ensure open, call, translate the errno", and for waiting calls "draw on the budget, wait
 *       only on would-block, try again");</li>
 *   <li>{@link org.curio.io.internal.ReadBuffer}: the read buffer of streams and files, with the
 *       accumulating reads (line, exact count, to the end), their limits and the shrink rule;</li>
 *   <li>{@link org.curio.io.internal.Errno}: Netty's native failures turned into JDK exceptions;</li>
 *   <li>{@link org.curio.io.internal.DirectBuffers}: direct scratch buffers for heap data, lent only
 *       between two points where the task cannot suspend;</li>
 *   <li>{@link org.curio.io.internal.Offload}: blocking calls (name lookup, file I/O) run on a virtual
 *       thread while the task waits with a {@code FutureWait} trap, so the kernel never blocks;</li>
 *   <li>{@link org.curio.io.internal.Libc}: the two system calls Netty lacks ({@code socketpair},
 *       {@code fcntl}), through {@code java.lang.foreign}.</li>
 * </ul>
 */
@NullMarked
package org.curio.io.internal;

import org.jspecify.annotations.NullMarked;
