package org.curio.traps;

/**
 * Something the kernel can wait on for readiness: an open, non-blocking file descriptor.
 *
 * <p>The kernel registers a descriptor once, edge-triggered for both directions, and remembers
 * readiness that arrives while nobody waits, so I/O code always tries its system call first and
 * traps only when the call would block. Before the descriptor is closed its owner issues
 * {@link Trap.IoRelease}.
 */
@FunctionalInterface
public interface Pollable {
    /** {@return the file descriptor number} */
    int fd();
}
