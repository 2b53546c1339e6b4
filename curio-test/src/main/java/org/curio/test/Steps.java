package org.curio.test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Checks the order in which things happen across tasks, the two ways curio's own tests do: numbered
 * steps that must come in order ({@link #expect(int)}, as in kotlinx.coroutines' tests), and a list of
 * recorded events compared whole at the end ({@link #record(Object)}, {@link #assertEvents}).
 *
 * {@snippet :
 * @CurioTest
 * void childRunsWhenMainSleeps(Steps steps) throws Exception {
 *     steps.expect(1);
 *     Task<?> child = Curio.spawn(() -> steps.expect(3));
 *     steps.expect(2);
 *     Timeouts.sleep(Duration.ofSeconds(1));
 *     steps.finish(4);
 * }
 * }
 *
 * <p>A step out of order fails at once, with the step that was expected and the events recorded so
 * far, so the failure points at the first divergence rather than at the end of the test.
 *
 * <p><b>Thread safety.</b> Any thread may record steps and events.
 */
public final class Steps {
    private final List<Object> events = new ArrayList<>();
    private int next = 1;
    private boolean finished;

    /** Creates a checker expecting step 1. */
    public Steps() {}

    /**
     * Checks that {@code step} is the next step.
     *
     * @param step the step number, counting from 1
     * @throws AssertionError if it is not the next one, or the steps are finished
     */
    public synchronized void expect(int step) {
        if (finished) {
            throw new AssertionError("step " + step + " came after the final step " + (next - 1));
        }
        if (step != next) {
            throw new AssertionError("expected step " + next + " but reached step " + step
                    + (events.isEmpty() ? "" : "; events so far: " + events));
        }
        next++;
    }

    /**
     * Checks that {@code step} is the next step and that no step follows.
     *
     * @param step the step number
     * @throws AssertionError if it is not the next one, or a later step is reached
     */
    public synchronized void finish(int step) {
        expect(step);
        finished = true;
    }

    /** {@return whether {@link #finish(int)} has been reached} */
    public synchronized boolean isFinished() {
        return finished;
    }

    /**
     * Records an event.
     *
     * @param event the event, compared with {@link Object#equals}
     */
    public synchronized void record(Object event) {
        events.add(Objects.requireNonNull(event, "event"));
    }

    /** {@return the events recorded so far, in order} */
    public synchronized List<Object> events() {
        return List.copyOf(events);
    }

    /**
     * Checks that exactly {@code expected} were recorded, in that order.
     *
     * @param expected the events
     * @throws AssertionError naming the first difference, if they differ
     */
    public void assertEvents(Object... expected) {
        List<Object> want = Arrays.asList(expected);
        List<Object> got = events();
        if (!want.equals(got)) {
            int i = 0;
            while (i < Math.min(want.size(), got.size()) && Objects.equals(want.get(i), got.get(i))) {
                i++;
            }
            throw new AssertionError("events differ at index " + i + "\nexpected: " + want + "\nbut was:  " + got);
        }
    }

    @Override
    public synchronized String toString() {
        return "Steps[next=" + next + (finished ? ", finished" : "") + ", events=" + events + "]";
    }
}
