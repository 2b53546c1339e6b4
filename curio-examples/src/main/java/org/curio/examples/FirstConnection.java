package org.curio.examples;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.curio.io.Connection;
import org.curio.io.Connector;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;

/**
 * Happy eyeballs written with a task group, as curio's documentation writes it: start a connection
 * attempt to each target, each {@code delay} after the previous one unless that one ends sooner, and
 * return the first connection made from inside the group's block; leaving the block cancels the
 * attempts still running ("any remaining tasks are magically cancelled").
 *
 * {@snippet :
 * Connection c = FirstConnection.connect(List.of(network.connector("v6"), network.connector("v4")),
 *         Duration.ofMillis(250));
 * }
 *
 * <p>{@code org.curio.io.Network.happyEyeballs} is the library's own version for host names; this one
 * takes any {@link Connector}s, so it runs the same over sockets and over a memory network.
 *
 * @see <a href="https://curio.readthedocs.io/en/latest/reference.html#task-groups">curio's task groups</a>
 */
public final class FirstConnection {
    private FirstConnection() {}

    /**
     * Races connection attempts and returns the first connection made; every other attempt is cancelled,
     * and a connection made by a second attempt in the same instant is closed.
     *
     * @param targets the attempts, in the order to start them
     * @param delay   how long to give an attempt before starting the next one
     * @param <C>     the type of connection
     * @return the first connection made, owned by the caller
     * @throws ConnectException   if every attempt failed; the failures are attached as suppressed
     * @throws CancelledException if the calling task is cancelled or times out
     */
    public static <C extends Connection> C connect(List<? extends Connector<? extends C>> targets, Duration delay)
            throws ConnectException, CancelledException {
        List<IOException> errors = new ArrayList<>();
        TaskGroup<C> group = TaskGroup.open(TaskGroup.Wait.OBJECT);
        try {
            try (group) {
                for (Connector<? extends C> target : targets) {
                    group.spawn(() -> attempt(target, errors));
                    // Wait up to the delay for an attempt to end; a failure moves on to the next at once.
                    Optional<C> early = Timeouts.ignoreAfter(delay, group::nextResult);
                    if (early.isPresent()) {
                        return early.get();               // leaving the block cancels the other attempts
                    }
                }
                for (Optional<Task<? extends C>> done = group.nextDone(); done.isPresent(); done = group.nextDone()) {
                    C connection = done.get().result();
                    if (connection != null) {
                        return connection;                // leaving the block cancels the other attempts
                    }
                }
            }
        } finally {
            for (Task<? extends C> late : group.tasks()) {       // connected in the same instant: not wanted
                if (late.isTerminated() && late.exception().isEmpty() && late.result() != null) {
                    late.result().close();
                }
            }
        }
        ConnectException failed = new ConnectException("no target accepted the connection (" + targets.size()
                + " tried)");
        errors.forEach(failed::addSuppressed);
        throw failed;
    }

    /** {@return the connection, or null if the attempt failed (the failure is added to {@code errors})} */
    private static <C extends Connection> C attempt(Connector<? extends C> target, List<IOException> errors)
            throws CancelledException {
        try {
            return target.connect();
        } catch (IOException e) {
            errors.add(e);
            return null;
        }
    }
}
