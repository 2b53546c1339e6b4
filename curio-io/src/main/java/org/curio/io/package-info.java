/**
 * Sockets, streams, files and network helpers for curio tasks: curio 1.6's I/O layer.
 *
 * <p>Every proxy here wraps a non-blocking file descriptor and reads like ordinary blocking code: a
 * method tries its system call at once and suspends the calling task only when the call would block,
 * through the kernel's readiness traps ({@link org.curio.traps.Trap.ReadWait},
 * {@link org.curio.traps.Trap.WriteWait}). Blocking work that has no readiness (name lookup, files on
 * disk) runs on a virtual thread while the task waits, so the kernel never blocks.
 *
 * <ul>
 *   <li>{@link org.curio.io.Socket}: TCP over IPv4 and IPv6, UDP, Unix-domain sockets;</li>
 *   <li>{@link org.curio.io.ByteStream}: the buffered stream, with read, read exactly, read all, read
 *       line, lines and writes, over any {@link org.curio.io.Connection};
 *       {@link org.curio.io.SocketStream} and {@link org.curio.io.FileStream} are its names over
 *       sockets and over pipes or ttys;</li>
 *   <li>{@link org.curio.io.AsyncFile}: files on disk, curio's {@code aopen};</li>
 *   <li>{@link org.curio.io.Network}: TCP and Unix servers with a task per client, connections,
 *       name lookup and a happy-eyeballs connect;</li>
 * </ul>
 *
 * <p><b>The byte path: one transport, one stream, one buffer.</b> {@link org.curio.io.Connection} is
 * the one transport interface: a connected socket implements it, so do the in-memory connections of
 * {@code MemoryNetwork} (module curio-io-testing), an internal connection over a pipe's or a tty's descriptor, and a
 * connection layered over another (TLS over a socket). {@link org.curio.io.ByteStream} is the one
 * buffered stream, built over any connection by {@link org.curio.io.ByteStream#of(Connection)} and
 * reading and writing only through the connection's methods, so every transport gets the same line
 * reads, limits and partial-progress accounting. Its read buffer (an internal class) is also the one
 * {@link org.curio.io.AsyncFile} reads files through, with the same line limit. Under the sockets and
 * pipes, every system call goes through one internal helper: check that the descriptor is open, make
 * the call, translate the error number into a JDK exception, and, for calls that may wait, draw on the
 * cooperative budget once and wait for readiness only when the call would block, then try again. One
 * exception (on by default; the system property {@code org.curio.io.skipDrainedReads=false} turns it
 * off): after a read of a stream socket that returned fewer bytes than asked, the next read waits
 * for readiness first, since its call could only answer "would block", unless the wake before the short
 * read reported the peer's hang-up or an error (the readiness traps answer which events they saw), in
 * which case the end of stream or the failure is read at once.
 *
 * <p>Protocol code written against {@link org.curio.io.Connection}, {@link org.curio.io.Listener} and
 * {@link org.curio.io.Connector} can be tested without a network: the {@code curio-io-testing} module
 * ({@code org.curio.io.testing}) gives connections and listeners in memory, with faults, and the
 * contract every two-way stream must keep.
 *
 * <p><b>Errors.</b> I/O failures are {@link java.io.IOException}s with the JDK's types where one fits
 * ({@link java.net.ConnectException}, {@link java.net.SocketException} "connection reset by peer",
 * {@link java.net.BindException}, {@link java.io.EOFException}); cancellation is the checked
 * {@link org.curio.traps.CancelledException}; misuse is an {@link IllegalArgumentException} at the
 * call.
 *
 * <p><b>Partial progress.</b> A cancelled or timed-out send or write reports exactly how far it got
 * through the position of the {@link java.nio.ByteBuffer} it was given; a cancelled or timed-out read
 * of a stream leaves what it had read in the stream's buffer.
 */
@NullMarked
package org.curio.io;

import org.jspecify.annotations.NullMarked;
