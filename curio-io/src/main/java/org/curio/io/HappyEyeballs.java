package org.curio.io;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.jspecify.annotations.Nullable;

/**
 * One happy-eyeballs race (RFC 8305), for {@link Network#happyEyeballs(List, Duration)}: attempts
 * start one after another, each {@code delay} after the previous one or as soon as it fails; the
 * first connection wins and the rest are cancelled and closed.
 */
final class HappyEyeballs {
    /*
     * Implementation notes. The attempts run in a task group whose policy is NONE, so that leaving
     * the race cancels every attempt still running and waits for it (shielded). An attempt may have
     * connected just as it was cancelled (it was ready to run when the cancel came, and returned
     * without reaching another cancellation point): every attempt's result other than the winner is
     * therefore closed once the group has ended, and so is the winner if the race itself failed.
     */
    private final List<InetSocketAddress> targets;
    private final Duration delay;
    private final List<Task<?>> attempts = new ArrayList<>();
    private final List<IOException> errors = new ArrayList<>();
    private @Nullable Socket winner;

    HappyEyeballs(List<InetSocketAddress> targets, Duration delay) {
        this.targets = targets;
        this.delay = delay;
    }

    Socket connect() throws IOException, CancelledException {
        boolean ok = false;
        try {
            TaskGroup.run(TaskGroup.Wait.NONE, this::race);   // NONE: cancel the losers, wait for them
            ok = winner != null;
        } finally {
            for (Task<?> t : attempts) {                     // attempts that connected but lost
                if (t.isTerminated() && t.exception().isEmpty() && t.result() instanceof Socket s
                        && (s != winner || !ok)) {
                    s.close();
                }
            }
        }
        if (winner == null) {
            ConnectException e = new ConnectException("cannot connect to any of " + targets);
            errors.forEach(e::addSuppressed);
            throw e;
        }
        return winner;
    }

    private void race(TaskGroup<Object> group) throws CancelledException {
        int next = 0;
        int running = 0;
        while (winner == null && (next < targets.size() || running > 0)) {
            if (next < targets.size()) {
                InetSocketAddress target = targets.get(next++);
                attempts.add(group.spawn(() -> Network.connect(target, null)));
                running++;
            }
            Optional<Task<?>> done = next < targets.size()
                    ? Timeouts.ignoreAfter(delay, () -> group.nextDone().orElse(null))
                    : group.nextDone();
            if (done.isPresent()) {
                running--;
                Task<?> t = done.get();
                if (t.exception().isPresent()) {
                    errors.add(asIo(t.exception().get()));
                } else {
                    winner = (Socket) t.result();
                }
            }
        }
    }

    private static IOException asIo(Throwable e) {
        return e instanceof IOException io ? io : new IOException("connection attempt failed", e);
    }
}
