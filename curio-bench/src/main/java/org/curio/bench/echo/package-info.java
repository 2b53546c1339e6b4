/**
 * The echo harness (DESIGN.md §8): one load client of our own drives, side by side in one run,
 * curio-java's echo server on both coroutine backends, Netty 4.2's epoll echo server with one event
 * loop, and a JDK virtual-thread-per-connection server, each in its own JVM, and reports requests per
 * second and the server process's CPU time per request (from {@code /proc/<pid>/stat}).
 *
 * <ul>
 *   <li>{@link org.curio.bench.echo.EchoHarness}: the program to run; starts each server, runs the
 *       workloads against it, prints the table;</li>
 *   <li>{@link org.curio.bench.echo.EchoServers}: the servers, one per child JVM;</li>
 *   <li>{@link org.curio.bench.echo.LoadClient}: a closed-loop request/response client on one
 *       thread with a JDK {@code Selector}, the same for every server.</li>
 * </ul>
 */
@NullMarked
package org.curio.bench.echo;

import org.jspecify.annotations.NullMarked;
