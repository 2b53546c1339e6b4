/**
 * Tools for testing protocol code written against curio-io's {@link org.curio.io.Connection},
 * {@link org.curio.io.Listener} and {@link org.curio.io.Connector}, deterministically and without a
 * network. They live apart from {@code org.curio.io} so that production code neither ships nor sees
 * them: add {@code org.curio:curio-io-testing} with test scope. Trio keeps the same tools in
 * {@code trio.testing} (memory streams, {@code check_two_way_stream}); Netty in
 * {@code EmbeddedChannel} and its transport test suite.
 *
 * <ul>
 *   <li>{@link org.curio.io.testing.MemoryNetwork}: named listeners, connectors and connected pairs
 *       whose {@link org.curio.io.testing.MemoryConnection}s behave like TCP streams, with buffer
 *       sizes, fixed or seeded random chunking and delays on the kernel clock, and faults injected
 *       through each connection's {@link org.curio.io.testing.Link} (reset, stall and resume, end of
 *       stream). Code written against {@code Connection} runs unchanged over memory and over TCP, so a
 *       protocol can be tested end to end, and property-tested, in microseconds per try.</li>
 *   <li>{@link org.curio.io.testing.StreamContract}: the check-list every two-way
 *       {@code Connection} must pass (exact bytes, half close, close while waiting, cancellation with
 *       exact partial progress, timeouts, busy receivers), written once, free of any test framework,
 *       and run against any implementation: TCP, Unix socket pairs, memory, TLS.</li>
 * </ul>
 *
 * <p>Like the rest of curio-io, these types are for the tasks of one kernel; see each class.
 */
@NullMarked
package org.curio.io.testing;

import org.jspecify.annotations.NullMarked;
