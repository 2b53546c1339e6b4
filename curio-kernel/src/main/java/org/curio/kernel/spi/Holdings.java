package org.curio.kernel.spi;

import java.util.Map;

/**
 * A kernel resource ({@link org.curio.kernel.Kernel#resource}) that holds things outside the kernel:
 * worker threads, worker processes, child processes. The kernel's
 * {@link org.curio.kernel.Kernel#ledger() ledger} adds what every such resource reports, so a test that
 * checks the ledger after {@code Kernel.close()} also catches a thread or a process left behind.
 *
 * <p>Called from any thread, before and after the kernel (and the resource) has closed; an answer
 * must therefore be cheap, thread-safe, and truthful after close (zero once everything is released).
 */
public interface Holdings {
    /**
     * {@return what the resource holds now, by kind, such as {@code "worker threads" -> 2}} Kinds with
     * nothing held may be left out or answered as zero.
     */
    Map<String, Long> holdings();
}
