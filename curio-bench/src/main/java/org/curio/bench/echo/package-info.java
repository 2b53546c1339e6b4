/**
 * The echo harness (DESIGN.md §8): one load client of our own drives, side by side in one run,
 * curio-java's echo server on both coroutine backends, Netty 4.2's epoll echo server with one event
 * loop, a JDK virtual-thread-per-connection server, a one-thread epoll server in C (the floor) and
 * Python curio's echo server, each in its own process, and reports requests per second, the server
 * process's CPU time per request (from {@code /proc/<pid>/stat}) and its resident memory (from
 * {@code /proc/<pid>/status}); or, with {@code --idle N}, what idle connections cost each server.
 *
 * <ul>
 *   <li>{@link org.curio.bench.echo.EchoHarness}: the program to run; starts each server, runs the
 *       workloads against it in interleaved rounds, prints the table;</li>
 *   <li>{@link org.curio.bench.echo.EchoServers}: the JVM servers, one per child JVM;</li>
 *   <li>{@link org.curio.bench.echo.ServerProcess}: a running server of any kind (the C and Python
 *       ones prepared at run time) and what is read from outside it;</li>
 *   <li>{@link org.curio.bench.echo.IdleConnections}: live heap and resident memory per idle
 *       connection;</li>
 *   <li>{@link org.curio.bench.echo.LoadClient}: a closed-loop request/response client on one
 *       thread with a JDK {@code Selector}, the same for every server.</li>
 * </ul>
 */
@NullMarked
package org.curio.bench.echo;

import org.jspecify.annotations.NullMarked;
