package org.curio.sync;

import static org.curio.sync.SyncHarness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutionException;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;

/** {@link Result}: curio's {@code TestResult}, plus setting once and waiting. */
class ResultTest {
    /** A value set by one task is returned by unwrap in another. */
    @CurioTest
    void value() throws Exception {
        var r = new Result<Integer>();
        Curio.spawn(() -> r.setValue(2 + 3));
        assertEquals(5, r.unwrap());
    }

    /** An exception set by one task comes out of unwrap as the cause of an ExecutionException. */
    @CurioTest
    void error() throws Exception {
        var r = new Result<Integer>();
        Curio.spawn(() -> {
            try {
                r.setValue(Integer.parseInt("2" + "x"));
            } catch (NumberFormatException e) {
                r.setException(e);
            }
        });
        var e = assertThrows(ExecutionException.class, r::unwrap);
        assertInstanceOf(NumberFormatException.class, e.getCause());
        assertTrue(r.statistics().failed());
    }

    /** Waiters block until the result is set; a timed-out waiter leaves the result untouched; setting twice fails. */
    @CurioTest
    void waitersAndSetOnce(Steps steps) throws Exception {
        var r = new Result<String>();
        Task<?> impatient = Curio.spawn(() -> {
            try {
                Timeouts.after(seconds(1), r::unwrap);
            } catch (TaskTimeoutException e) {
                steps.record("impatient timed out");
            }
        });
        Task<?> patient = Curio.spawn(() -> steps.record("patient got " + r.unwrap()));
        Curio.schedule();
        assertEquals("Result[unset, waiting=2]", r.toString());
        Timeouts.sleep(seconds(2));
        r.setValue("x");
        var e = assertThrows(IllegalStateException.class, () -> r.setValue("y"));
        assertTrue(e.getMessage().contains("set already"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> r.setException(new RuntimeException()));
        impatient.join();
        patient.join();
        assertEquals("Result[value=x]", r.toString());
        steps.assertEvents("impatient timed out", "patient got x");
    }
}
