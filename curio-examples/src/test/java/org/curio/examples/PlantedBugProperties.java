package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import org.curio.io.ByteStream;
import org.curio.test.Trial;
import org.curio.test.TrialFailure;
import org.curio.traps.CancelledException;

/**
 * The same property as {@link KvServerProperties}, run against a copy of the server with one planted
 * bug, to show that the kit finds such a bug and shrinks it: this test passes only if the property
 * fails, and its failing scenario has shrunk to two clients sending one {@code INCR} each, with no
 * fault, a buffer too small for the reply, and a trace showing the interleaving.
 */
class PlantedBugProperties {
    /**
     * The planted bug: {@code INCR} computes the new value, sends the reply, and only then stores the
     * value. Sending suspends when the client's buffer is full, and another client's {@code INCR}
     * reads the old value in the meantime: an increment is lost.
     */
    static final class LossyKvServer extends KvServer {
        @Override
        void execute(byte[][] words, ByteStream out) throws IOException, CancelledException {
            if (words.length == 2 && latin1(words[0]).equals("INCR") && incremented(words[1]).isPresent()) {
                long next = incremented(words[1]).orElseThrow();
                out.write(ascii("VALUE " + next + "\n"));
                store(words[1], ascii(Long.toString(next)));    // too late: the write may have suspended
                return;
            }
            super.execute(words, out);
        }
    }

    /** The property finds the lost update, and shrinks it to the minimal scenario. */
    @Property(tries = 1000)
    @AddLifecycleHook(ExpectMinimalFailure.class)
    void lossyServerLosesIncrements(@ForAll("faultless") KvScenario scenario, @ForAll long seed) {
        Trial.create().perturbed(seed).run(() -> scenario.run(new LossyKvServer()));
    }

    @Provide
    Arbitrary<KvScenario> faultless() {
        return KvServerProperties.scenarios(false);
    }

    /** Turns the expected failure into success after checking that it is the planted bug, shrunk. */
    public static final class ExpectMinimalFailure implements AroundPropertyHook {
        /** Created by jqwik. */
        public ExpectMinimalFailure() {}

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            PropertyExecutionResult result = property.execute();
            if (result.status() != PropertyExecutionResult.Status.FAILED) {
                return result.mapToFailed("the planted bug was not found in " + result.countTries() + " tries");
            }
            try {
                List<Object> sample = result.falsifiedParameters().orElseThrow();
                KvScenario scenario = (KvScenario) sample.get(0);
                List<List<KvScenario.Command>> busy = scenario.clients().stream().filter(c -> !c.isEmpty()).toList();
                assertEquals(List.of(List.of(new KvScenario.Incr()), List.of(new KvScenario.Incr())), busy,
                        "shrunk to two clients with one INCR each: " + scenario);
                assertTrue(scenario.options().bufferSize() < "VALUE 1\n".length(),
                        "shrunk to a buffer too small for the reply: " + scenario.options());
                TrialFailure failure = (TrialFailure) result.throwable().orElseThrow();
                assertTrue(failure.getMessage().contains("counter is 1 after 2 acknowledged INCRs"), failure.getMessage());
                assertTrue(failure.trace().toString().contains("wait "), failure.trace().toString());
            } catch (AssertionError | RuntimeException e) {
                return result.mapToFailed(e);
            }
            return result.mapToSuccessful();
        }
    }
}
