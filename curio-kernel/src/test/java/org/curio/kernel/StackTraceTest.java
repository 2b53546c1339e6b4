package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.logging.LogRecord;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Stacks show the program's frames first: {@code where()}, the crash log line, and the stack of a
 * cancellation or timeout, which shows where the task was blocked when it arrived.
 */
class StackTraceTest {
    /** The program's own method that blocks; the frame every test looks for. */
    private static void waitForSomething() throws CancelledException {
        Timeouts.sleep(seconds(10));
    }

    /** The program's own method that calls into the library wrongly. */
    private static void misuseTheLibrary() throws CancelledException {
        Timeouts.after(seconds(1), (Body<Object, RuntimeException>) null);
    }

    private static String printed(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void whereStartsAtTheProgramsOwnMethod() throws Exception {
        Harness.runVoid(() -> {
            Task<Object> t = Curio.spawn("waiter", () -> {
                waitForSomething();
                return null;
            });
            Curio.schedule();
            List<StackTraceElement> where = t.where();
            assertEquals(StackTraceTest.class.getName() + ".waitForSomething",
                    where.getFirst().getClassName() + "." + where.getFirst().getMethodName(), where.toString());
            assertTrue(where.get(1).getMethodName().startsWith("lambda$whereStartsAtTheProgramsOwnMethod"),
                    where.toString());
            t.cancel();
        });
    }

    @Test
    void crashLogLineNamesTheProgramsFrame() throws Exception {
        try (TestSupport.LogCapture log = TestSupport.LogCapture.on("org.curio.kernel")) {
            Harness.runVoid(() -> {
                Task<Object> t = Curio.spawn("misuser", () -> {
                    misuseTheLibrary();
                    return null;
                });
                t.await();
            });
            List<LogRecord> records = log.records();
            assertEquals(1, records.size(), log.messages().toString());
            String message = records.getFirst().getMessage();
            assertTrue(message.matches("task crashed: Task\\(id=\\d+, name=misuser\\)\\[TERMINATED\\] at "
                    + "org\\.curio\\.kernel\\.StackTraceTest\\.misuseTheLibrary\\(StackTraceTest\\.java:\\d+\\)"), message);
            assertTrue(records.getFirst().getThrown() instanceof NullPointerException, message);
        }
    }

    @Test
    void cancellationShowsWhereTheTaskWasBlocked() throws Exception {
        Harness.runVoid(() -> {
            Task<Object> t = Curio.spawn("waiter", () -> {
                waitForSomething();
                return null;
            });
            Curio.schedule();
            t.cancel();
            Throwable e = t.exception().orElseThrow();
            assertTrue(e instanceof TaskCancelledException, printed(e));
            String stack = printed(e);
            assertTrue(stack.contains("Suppressed: org.curio.kernel.internal.BlockedAt: task " + t.id()
                    + " (waiter) was blocked in Timeouts.sleep"), stack);
            assertTrue(stack.contains(StackTraceTest.class.getName() + ".waitForSomething(StackTraceTest.java:"), stack);
            assertTrue(stack.indexOf("waitForSomething") < stack.indexOf("lambda$cancellationShows"), stack);
        });
    }

    @Test
    void timeoutShowsWhereTheTaskWasBlocked() throws Exception {
        Harness.runVoid(() -> {
            TaskTimeoutException own = null;
            try {
                Timeouts.after(seconds(1), () -> Timeouts.after(seconds(5), () -> {
                    waitForSomething();
                    return null;
                }));
            } catch (TaskTimeoutException e) {
                own = e;
            }
            String stack = printed(own);
            assertTrue(stack.contains(StackTraceTest.class.getName() + ".waitForSomething(StackTraceTest.java:"), stack);
        });
    }
}
