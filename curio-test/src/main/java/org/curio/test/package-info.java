/**
 * The deterministic testing kit for curio programs.
 *
 * <ul>
 *   <li>{@link org.curio.test.CurioTest}: a JUnit 5 test method that runs as the main task of a fresh
 *       kernel on a virtual clock, with the kernel, its clock, a {@link org.curio.test.Steps} checker
 *       and its {@link org.curio.test.Trace} as parameters, and fails on crashed, leftover or leaked
 *       tasks, timers and file descriptors, or on exceeding a real-time limit;</li>
 *   <li>{@link org.curio.test.Trial}: the same run for any framework, made for property tests: a seeded
 *       perturbation of the schedule so that tries explore interleavings, a real-time watchdog per try,
 *       and the trace in the failure, replayable from the seed;</li>
 *   <li>{@link org.curio.test.Trace}: a deterministic record of every trap, wake-up, cancellation,
 *       timeout and termination;</li>
 *   <li>{@link org.curio.test.Steps}: numbered steps that must come in order, and recorded events.</li>
 * </ul>
 *
 * <p>For protocol tests without a network, the curio-io-testing module's
 * {@code org.curio.io.testing.MemoryNetwork} gives connected streams and listeners with controllable
 * buffers, delays and faults, and {@code org.curio.io.testing.StreamContract} checks any two-way
 * stream.
 */
@NullMarked
package org.curio.test;

import org.jspecify.annotations.NullMarked;
