/**
 * The curio kernel: runs tasks, delivers cancellation and timeouts, waits for I/O readiness.
 * Applications start it with {@link org.curio.kernel.Kernel} or {@link org.curio.kernel.Curio#run};
 * all other code reaches it through {@link org.curio.traps.Trap}s, directly or through
 * {@link org.curio.kernel.TaskGroup}, {@link org.curio.kernel.Timeouts} and
 * {@link org.curio.kernel.Cancellation}.
 */
module org.curio.kernel {
    requires transitive org.curio.traps;            // Task, Trap and the exceptions appear in our signatures
    requires jdk.unsupported;                       // sun.misc.Signal: SIGINT and SIGTERM stop a kernel
    requires java.management;                       // a kernel's MBean; loaded only when one is registered

    requires io.netty.transport.classes.epoll;      // readiness only; never in our API
    requires io.netty.transport.epoll.linux.x86_64; // resolves the native epoll library, so applications need not
    requires io.netty.transport.unix.common;        // FileDescriptor for epoll registration
    requires io.netty.transport;                    // IoHandler, IoRegistration
    requires io.netty.common;                       // ThreadAwareExecutor
    requires static transitive org.jspecify;        // nullness annotations in our signatures, compile time only
    requires static jdk.jfr;                        // JFR events, when the runtime has jdk.jfr (checked once)

    exports org.curio.kernel;
    exports org.curio.kernel.spi;                   // Activation hooks, KernelClock
}
