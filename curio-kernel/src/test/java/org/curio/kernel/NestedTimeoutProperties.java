package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.curio.traps.CancelledException;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.TimeoutCancellationException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.UncaughtTimeoutException;
import org.curio.traps.WaitQueue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * R3: nested timeout blocks, depth 1 to 6, with deliberate ties between levels, checked against a
 * model of curio 1.6's {@code time.py} rules. Each level may sleep before entering the next level and
 * after it returns, and may run a cleanup (a sleep) when a cancellation comes out of the next level;
 * the innermost body sleeps a while or forever.
 *
 * <p>The model walks the same program on an integer clock. Entering a block arms its deadline only if
 * it is earlier than the one armed (curio arms only the innermost deadline); a sleep is cut short by
 * the armed deadline (armed before the sleep, it wins a tie), at once if that has passed; a fired
 * timeout stays disarmed until a block is left, which re-arms the deadline that block replaced. At each
 * block exit the outermost open block whose deadline has passed owns the timeout (so the outer block
 * wins ties), inner blocks see a timeout cancellation, and a timeout no open block owns is uncaught.
 * The Java kernel must produce exactly the model's trace, including a final sleep after every block
 * has exited, which no timeout may interrupt.
 */
class NestedTimeoutProperties {
    /**
     * One level of nesting.
     *
     * @param ignore   an {@code ignoreAfter} block rather than {@code after}
     * @param duration the block's timeout in seconds (0 = already due)
     * @param pre      seconds to sleep inside the block before entering the next level (0 = no sleep)
     * @param post     seconds to sleep inside the block after the next level returns (0 = no sleep)
     * @param catchOwn whether the code around the block catches its {@link TaskTimeoutException}
     * @param cleanup  seconds of cleanup sleep when a cancellation comes out of the next level, before
     *                 letting it go on (0 = no cleanup handler)
     */
    record Level(boolean ignore, int duration, int pre, int post, boolean catchOwn, int cleanup) {}

    /**
     * A generated program.
     *
     * @param levels outermost first
     * @param body   seconds the innermost body sleeps, or -1 to wait forever
     */
    record Scenario(List<Level> levels, int body) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("Scenario[body=" + (body < 0 ? "forever" : body + "s"));
            for (int i = 0; i < levels.size(); i++) {
                sb.append("\n  level ").append(i).append(": ").append(levels.get(i));
            }
            return sb.append(']').toString();
        }
    }

    /** A level as generated: {@code tieWith >= 0} asks for an outer level's deadline instead of {@code duration}. */
    record RawLevel(boolean ignore, int duration, int tieWith, int pre, int post, boolean catchOwn, int cleanup) {}

    private static final long SECOND = 1_000_000_000L;
    private static final int FINAL_SLEEP = 1_000;

    /** The Java kernel's trace equals the model's for every generated nest of timeout blocks. */
    @Property(tries = 1000, edgeCases = EdgeCasesMode.NONE)   // edge cases would be mostly depth 1
    void kernelAgreesWithModel(@ForAll("scenarios") Scenario scenario) throws Exception {
        List<String> expected = new Model(scenario).run();
        List<String> actual = runOnKernel(scenario);
        assertEquals(expected, actual, scenario::toString);
        Statistics.label("depth").collect(scenario.levels().size());
        Statistics.label("top").collect(expected.get(expected.size() - 2).replaceAll("\\(.*| @.*", ""));
        Statistics.label("cancellations seen")
                .collect(expected.stream().filter(e -> e.contains("TimeoutCancellation")).count());
        Statistics.label("outer owner tied with an inner deadline").collect(tied(scenario, expected));
    }

    /** {@return whether a block received TaskTimeout while an inner block with the same deadline saw a cancellation} */
    private static boolean tied(Scenario scenario, List<String> trace) {
        long[] deadline = new long[scenario.levels().size()];
        long entry = 0;
        for (int i = 0; i < deadline.length; i++) {
            deadline[i] = entry + scenario.levels().get(i).duration();
            entry += scenario.levels().get(i).pre();
        }
        for (String e : trace) {
            if (e.startsWith("leave ") && e.contains("TimeoutCancellation")) {
                int inner = Integer.parseInt(e.split(" ")[1]);
                for (int j = 0; j < inner; j++) {
                    if (deadline[j] == deadline[inner]) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Two levels with the same deadline: the outer one owns the timeout, the inner one sees a cancellation. */
    @Test
    void outerWinsTie() throws Exception {
        Scenario s = new Scenario(List.of(new Level(false, 5, 0, 0, true, 0), new Level(false, 5, 0, 0, true, 0)), -1);
        assertEquals(List.of("enter 0 @0", "enter 1 @0", "leave 1 TimeoutCancellation(5) @5",
                "leave 0 TaskTimeout(5) @5", "top ok @5", "final @1005"), runOnKernel(s));
        assertEquals(new Model(s).run(), runOnKernel(s));
    }

    /**
     * An inner timeout that its own block's caller lets escape reaches the next block out, whose
     * deadline has not passed, as an uncaught timeout; the outer deadline never fires afterwards.
     */
    @Test
    void escapedInnerTimeoutIsUncaught() throws Exception {
        Scenario s = new Scenario(List.of(new Level(false, 8, 0, 0, true, 0), new Level(false, 3, 0, 0, false, 0)), 10);
        assertEquals(List.of("enter 0 @0", "enter 1 @0", "leave 1 TaskTimeout(3) @3", "leave 0 UncaughtTimeout @3",
                "top UncaughtTimeout @3", "final @1003"), runOnKernel(s));
        assertEquals(new Model(s).run(), runOnKernel(s));
    }

    /** An inner ignoreAfter block that expired lets the outer block run on until its own deadline. */
    @Test
    void outerTimeoutAfterQuietInnerExpiry() throws Exception {
        Scenario s = new Scenario(List.of(new Level(false, 6, 0, 9, true, 0), new Level(true, 2, 1, 0, true, 0)), -1);
        assertEquals(List.of("enter 0 @0", "enter 1 @0", "pre 1 @1", "leave 1 expired @2", "leave 0 TaskTimeout(6) @6",
                "top ok @6", "final @1006"), runOnKernel(s));
        assertEquals(new Model(s).run(), runOnKernel(s));
    }

    /**
     * Cleanup inside an outer block after a tie fired (curio 1.6: only the innermost deadline is armed):
     * leaving the inner block re-arms the outer deadline, which has passed, so the cleanup's sleep is
     * cut short at once and the outer block receives its own timeout.
     */
    @Test
    void cleanupAfterTieIsCutShortByTheOuterDeadline() throws Exception {
        Scenario s = new Scenario(List.of(new Level(false, 5, 0, 0, true, 4), new Level(false, 5, 0, 0, true, 0)), -1);
        assertEquals(List.of("enter 0 @0", "enter 1 @0", "leave 1 TimeoutCancellation(5) @5",
                "cleanup 0 after TimeoutCancellation(5) @5", "leave 0 TaskTimeout(5) @5", "top ok @5", "final @1005"),
                runOnKernel(s));
        assertEquals(new Model(s).run(), runOnKernel(s));
    }

    /** Cleanup after a block's deadline fired is not interrupted: nothing is armed until the block is left. */
    @Test
    void cleanupInsideExpiredBlockRunsToTheEnd() throws Exception {
        Scenario s = new Scenario(List.of(new Level(false, 8, 0, 0, true, 0), new Level(false, 3, 0, 0, true, 7)), -1);
        assertEquals(List.of("enter 0 @0", "enter 1 @0", "cleanup 1 after TaskTimeout(3) @3", "cleanup 1 done @10",
                "leave 1 TaskTimeout(3) @10", "leave 0 ok @10", "top ok @10", "final @1010"), runOnKernel(s));
        assertEquals(new Model(s).run(), runOnKernel(s));
    }

    // ------------------------------------------------------------------ the kernel side

    private static List<String> runOnKernel(Scenario scenario) throws Exception {
        List<String> trace = Collections.synchronizedList(new ArrayList<>());
        Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build();
        var outcome = Watchdog.runKernel(kernel, Watchdog.LIMIT,
                () -> scenario + "\ntrace so far: " + List.copyOf(trace), () -> {
                    new Program(scenario, trace).main();
                    return null;
                });
        assertEquals(List.of(), outcome.tasksAfterRun(), "tasks left after run");
        assertTrue(outcome.ledger().isEmpty(), () -> "kernel left " + outcome.ledger() + " for " + scenario);
        return List.copyOf(trace);
    }

    /** The scenario as task code: each level's block wraps the next level. */
    private record Program(Scenario s, List<String> trace) {
        void main() throws CancelledException {
            try {
                level(0);
                log("top ok");
            } catch (TaskTimeoutException e) {
                log("top TaskTimeout(" + time(e.clockNanos()) + ")");
            } catch (TimeoutCancellationException e) {
                log("top TimeoutCancellation(" + time(e.clockNanos()) + ")");
            } catch (UncaughtTimeoutException e) {
                log("top UncaughtTimeout");
            }
            Timeouts.sleep(Duration.ofSeconds(FINAL_SLEEP));
            log("final");
        }

        private void level(int i) throws CancelledException {
            Level level = s.levels().get(i);
            Duration timeout = Duration.ofSeconds(level.duration());
            log("enter " + i);
            try {
                if (level.ignore()) {
                    boolean expired = Timeouts.ignoreAfter(timeout, () -> inside(i));
                    log("leave " + i + (expired ? " expired" : " ok"));
                } else {
                    Timeouts.after(timeout, () -> inside(i));
                    log("leave " + i + " ok");
                }
            } catch (TaskTimeoutException e) {
                log("leave " + i + " TaskTimeout(" + time(e.clockNanos()) + ")");
                if (!level.catchOwn()) {
                    throw e;
                }
            } catch (TimeoutCancellationException e) {
                log("leave " + i + " TimeoutCancellation(" + time(e.clockNanos()) + ")");
                throw e;
            } catch (UncaughtTimeoutException e) {
                log("leave " + i + " UncaughtTimeout");
                throw e;
            }
        }

        private void inside(int i) throws CancelledException {
            Level level = s.levels().get(i);
            if (level.pre() > 0) {
                Timeouts.sleep(Duration.ofSeconds(level.pre()));
                log("pre " + i);
            }
            try {
                if (i + 1 < s.levels().size()) {
                    level(i + 1);
                } else if (s.body() < 0) {
                    Traps.call(new Trap.SchedWait(WaitQueue.fifo(), "FOREVER"));
                    log("woken from forever");
                } else {
                    Timeouts.sleep(Duration.ofSeconds(s.body()));
                    log("body done");
                }
            } catch (CancelledException e) {
                if (level.cleanup() == 0) {
                    throw e;
                }
                log("cleanup " + i + " after " + name(e));
                Timeouts.sleep(Duration.ofSeconds(level.cleanup()));
                log("cleanup " + i + " done");
                throw e;
            }
            if (level.post() > 0) {
                Timeouts.sleep(Duration.ofSeconds(level.post()));
                log("post " + i);
            }
        }

        private void log(String event) {
            trace.add(event + " @" + time(Timeouts.clock()));
        }
    }

    private static String name(CancelledException e) {
        return switch (e) {
            case TaskTimeoutException t -> "TaskTimeout(" + time(t.clockNanos()) + ")";
            case TimeoutCancellationException t -> "TimeoutCancellation(" + time(t.clockNanos()) + ")";
            default -> e.toString();
        };
    }

    private static String time(long nanos) {
        return nanos % SECOND == 0 ? Long.toString(nanos / SECOND) : nanos + "ns";
    }

    // ------------------------------------------------------------------ the model

    /** Curio 1.6's rules on an integer clock (seconds). */
    private static final class Model {
        private enum Kind { TIMEOUT, CANCELLATION, UNCAUGHT }

        private record Thrown(Kind kind, long clock) {}

        private final Scenario s;
        private final List<String> trace = new ArrayList<>();
        private final List<Long> open = new ArrayList<>();     // deadlines of the open blocks, outermost first
        private final List<Long> prior = new ArrayList<>();    // the armed deadline each open block replaced
        private long armed = Long.MAX_VALUE;                   // the one timeout the kernel has armed, if any
        private long now;

        Model(Scenario s) {
            this.s = s;
        }

        List<String> run() {
            Thrown top = level(0);
            if (top == null) {
                log("top ok");
            } else {
                log("top " + label(top));
            }
            if (sleep(FINAL_SLEEP) != null) {
                throw new AssertionError("model: a timeout after every block exited");
            }
            log("final");
            return trace;
        }

        /**
         * Sleeps {@code seconds} (Long.MAX_VALUE: forever) unless the armed timeout comes first; one
         * already past fires at once. A fired timeout is disarmed until a block is left.
         */
        private @Nullable Thrown sleep(long seconds) {
            long wake = seconds == Long.MAX_VALUE ? Long.MAX_VALUE : now + seconds;
            if (armed == Long.MAX_VALUE && wake == Long.MAX_VALUE) {
                throw new AssertionError("model: waits forever with no timeout armed");
            }
            if (armed <= wake) {               // the timeout was armed before the sleep: it wins a tie
                now = Math.max(now, armed);
                armed = Long.MAX_VALUE;
                return new Thrown(Kind.TIMEOUT, now);
            }
            now = wake;
            return null;
        }

        private @Nullable Thrown level(int i) {
            Level level = s.levels().get(i);
            log("enter " + i);
            long deadline = now + level.duration();
            open.add(deadline);
            prior.add(armed);
            armed = Math.min(armed, deadline);     // curio arms a new deadline only if it is earlier
            Thrown inner = inside(i);
            armed = prior.removeLast();            // leaving re-arms the replaced one, even if it has passed
            Thrown out = null;
            String what = "ok";
            if (inner != null && inner.kind() == Kind.UNCAUGHT) {
                out = inner;
                what = "UncaughtTimeout";
            } else if (inner != null) {
                int owner = -1;                // the outermost open block whose deadline has passed
                for (int j = 0; j < open.size(); j++) {
                    if (open.get(j) <= inner.clock()) {
                        owner = j;
                        break;
                    }
                }
                if (owner < 0) {
                    out = new Thrown(Kind.UNCAUGHT, inner.clock());
                    what = "UncaughtTimeout";
                } else if (owner < i) {
                    out = new Thrown(Kind.CANCELLATION, inner.clock());
                    what = "TimeoutCancellation(" + inner.clock() + ")";
                } else if (level.ignore()) {
                    what = "expired";
                } else {
                    out = new Thrown(Kind.TIMEOUT, inner.clock());
                    what = "TaskTimeout(" + inner.clock() + ")";
                }
            }
            open.removeLast();
            log("leave " + i + " " + what);
            if (out != null && out.kind() == Kind.TIMEOUT && level.catchOwn()) {
                return null;
            }
            return out;
        }

        private @Nullable Thrown inside(int i) {
            Level level = s.levels().get(i);
            Thrown t;
            if (level.pre() > 0) {
                if ((t = sleep(level.pre())) != null) {
                    return t;
                }
                log("pre " + i);
            }
            if (i + 1 < s.levels().size()) {
                t = level(i + 1);
            } else if ((t = sleep(s.body() < 0 ? Long.MAX_VALUE : s.body())) == null) {
                log("body done");
            }
            if (t != null && t.kind() != Kind.UNCAUGHT && level.cleanup() > 0) {
                log("cleanup " + i + " after " + label(t));
                Thrown again = sleep(level.cleanup());
                if (again != null) {
                    return again;              // the cleanup was cut short: its exception replaces t
                }
                log("cleanup " + i + " done");
            }
            if (t != null) {
                return t;
            }
            if (level.post() > 0) {
                if ((t = sleep(level.post())) != null) {
                    return t;
                }
                log("post " + i);
            }
            return null;
        }

        private static String label(Thrown t) {
            return switch (t.kind()) {
                case TIMEOUT -> "TaskTimeout(" + t.clock() + ")";
                case CANCELLATION -> "TimeoutCancellation(" + t.clock() + ")";
                case UNCAUGHT -> "UncaughtTimeout";
            };
        }

        private void log(String event) {
            trace.add(event + " @" + now);
        }
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<RawLevel> level = Combinators.combine(
                Arbitraries.of(false, true),
                Arbitraries.integers().between(0, 6),
                often(-1, 2, Arbitraries.integers().between(0, 5)),      // tie with an outer level
                often(0, 2, Arbitraries.integers().between(1, 3)),       // sleep before the next level
                often(0, 2, Arbitraries.integers().between(1, 6)),       // sleep after it
                Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(true)), Tuple.of(1, Arbitraries.just(false))),
                often(0, 3, Arbitraries.integers().between(1, 4)))       // cleanup handler
                .as(RawLevel::new);
        Arbitrary<Integer> bodyKind = Arbitraries.integers().between(-2, 8);     // -1 forever, -2 tie, else seconds
        Arbitrary<List<RawLevel>> levels = level.list().ofMinSize(1).ofMaxSize(6)
                .withSizeDistribution(RandomDistribution.uniform());
        return Combinators.combine(levels, bodyKind).as(NestedTimeoutProperties::scenario);
    }

    /** {@return {@code value} {@code weight} times as often as anything from {@code others}} */
    private static Arbitrary<Integer> often(int value, int weight, Arbitrary<Integer> others) {
        return Arbitraries.frequencyOf(Tuple.of(weight, Arbitraries.just(value)), Tuple.of(1, others));
    }

    /** Turns raw levels into a scenario, resolving requested ties against the absolute deadlines. */
    static Scenario scenario(List<RawLevel> raw, int bodyKind) {
        List<Level> levels = new ArrayList<>();
        long[] deadline = new long[raw.size()];
        long entry = 0;
        for (int i = 0; i < raw.size(); i++) {
            RawLevel r = raw.get(i);
            int duration = r.duration();
            if (r.tieWith() >= 0 && i > 0) {
                duration = (int) Math.max(0, deadline[r.tieWith() % i] - entry);
            }
            deadline[i] = entry + duration;
            levels.add(new Level(r.ignore(), duration, r.pre(), r.post(), r.catchOwn(), r.cleanup()));
            entry += r.pre();
        }
        int body = bodyKind;
        if (bodyKind == -2) {
            long first = Arrays.stream(deadline).min().orElseThrow();
            body = (int) Math.max(1, first - entry);
        } else if (bodyKind == 0) {
            body = 1;
        }
        return new Scenario(levels, body);
    }
}
