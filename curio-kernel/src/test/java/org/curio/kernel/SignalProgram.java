package org.curio.kernel;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.curio.traps.CancelledException;

/**
 * A program stopped by a signal in {@link SignalTest}: a main task with two children in a task
 * group and a daemon, all blocked, each printing one line from its cleanup. With the argument
 * {@code slow} the first child's cleanup takes a minute (shielded), so that a second signal finds
 * the program still stopping.
 */
public final class SignalProgram {
    private SignalProgram() {}

    @SuppressWarnings("try")
    public static void main(String[] args) throws Exception {
        boolean slow = args.length > 0 && args[0].equals("slow");
        CompletableFuture<Void> never = new CompletableFuture<>();
        Curio.run(() -> {
            Curio.spawnDaemon(() -> {
                try {
                    Curio.awaitFuture(never);
                } finally {
                    say("cleanup daemon");
                }
            });
            try (TaskGroup<Object> group = TaskGroup.open()) {
                for (int i = 1; i <= 2; i++) {
                    int id = i;
                    group.spawn(() -> {
                        try {
                            return Curio.awaitFuture(never);
                        } finally {
                            say("cleanup child " + id);
                            if (slow && id == 1) {
                                try (Cancellation.Shield s = Cancellation.shield()) {
                                    say("stopping slowly");
                                    Timeouts.sleep(Duration.ofMinutes(1));
                                } catch (CancelledException e) {
                                    say("impossible: " + e);
                                }
                            }
                        }
                    });
                }
                Curio.schedule();
                say("ready");
                try {
                    group.join();
                } finally {
                    say("cleanup main");
                }
            }
            return null;
        });
        say("not reached: Curio.run returned");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
