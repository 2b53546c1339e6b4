package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutionException;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.sync.SyncHarness.Events;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/** {@link Result}: curio's {@code TestResult}, plus setting once and waiting. */
class ResultTest {
    /** A value set by one task is returned by unwrap in another. */
    @Test
    void value() throws Exception {
        int v = SyncHarness.run(() -> {
            var r = new Result<Integer>();
            Curio.spawn(() -> r.setValue(2 + 3));
            return r.unwrap();
        });
        assertEquals(5, v);
    }

    /** An exception set by one task comes out of unwrap as the cause of an ExecutionException. */
    @Test
    void error() throws Exception {
        SyncHarness.runVoid(() -> {
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
        });
    }

    /** Waiters block until the result is set; a timed-out waiter leaves the result untouched; setting twice fails. */
    @Test
    void waitersAndSetOnce() throws Exception {
        var ev = new Events();
        SyncHarness.runVoid(() -> {
            var r = new Result<String>();
            Task<?> impatient = Curio.spawn(() -> {
                try {
                    Timeouts.after(SyncHarness.seconds(1), r::unwrap);
                } catch (TaskTimeoutException e) {
                    ev.add("impatient timed out");
                }
            });
            Task<?> patient = Curio.spawn(() -> ev.add("patient got " + r.unwrap()));
            Curio.schedule();
            assertEquals("Result[unset, waiting=2]", r.toString());
            Timeouts.sleep(SyncHarness.seconds(2));
            r.setValue("x");
            var e = assertThrows(IllegalStateException.class, () -> r.setValue("y"));
            assertTrue(e.getMessage().contains("set already"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> r.setException(new RuntimeException()));
            impatient.join();
            patient.join();
            assertEquals("Result[value=x]", r.toString());
        });
        ev.assertEquals("impatient timed out", "patient got x");
    }
}
