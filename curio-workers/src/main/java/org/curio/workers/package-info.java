/**
 * Running blocking work in threads and worker processes, subprocesses and signals.
 *
 * <p>{@link org.curio.workers.Subprocess} runs programs with their standard streams as non-blocking
 * pipes and their exit as a readiness event (curio's {@code subprocess}); {@link
 * org.curio.workers.SignalQueue} and {@link org.curio.workers.SignalEvent} let tasks and threads
 * wait for Unix signals (curio's {@code signal} module before 1.0).
 */
@NullMarked
package org.curio.workers;

import org.jspecify.annotations.NullMarked;
