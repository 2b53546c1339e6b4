/**
 * Sockets, streams, files and network helpers for curio tasks: proxies around non-blocking file
 * descriptors that read like ordinary blocking code and suspend the calling task only when a system
 * call would block. See {@link org.curio.io.Socket}, {@link org.curio.io.SocketStream},
 * {@link org.curio.io.FileStream}, {@link org.curio.io.AsyncFile} and {@link org.curio.io.Network}.
 */
module org.curio.io {
    requires transitive org.curio.traps;            // CancelledException appears in our signatures

    requires transitive org.curio.kernel;           // Curio.run, TaskGroup, Timeouts: nothing runs without them
    requires io.netty.transport.unix.common;        // raw non-blocking syscalls; never in our API
    requires io.netty.transport.classes.epoll;      // LinuxSocket, and loading the native library
    requires io.netty.transport;                    // ChannelException thrown by socket creation
    requires static transitive org.jspecify;        // nullness annotations in our signatures, compile time only

    exports org.curio.io;
}
