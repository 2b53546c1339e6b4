/**
 * The kernel's whole system-call interface: the sealed {@link org.curio.traps.Trap} records, the
 * coroutine mechanism that carries a trap from a task to its kernel and back, and the small
 * vocabulary traps mention (the {@link org.curio.traps.Task} view, {@link org.curio.traps.WaitQueue},
 * {@link org.curio.traps.Pollable} and the exception families).
 *
 * <p>Library modules that only need to suspend tasks (synchronization primitives, queues) depend on
 * this module alone; only the kernel sees {@code org.curio.traps.spi}.
 */
module org.curio.traps {
    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only

    exports org.curio.traps;
    exports org.curio.traps.spi to org.curio.kernel; // the kernel installs itself as the trap handler
}
