package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RELIABILITY.md R24: SIGINT and SIGTERM to a {@code Curio.run} program run every task's cleanup
 * exactly once and end the process with the conventional status; a second signal while it stops
 * ends it at once. Each case starts a real JVM on the backend under test and signals it.
 */
class SignalTest {
    private static final List<String> CLEANUPS = List.of("cleanup child 1", "cleanup child 2", "cleanup main",
            "cleanup daemon");

    @Test
    @Timeout(60)
    void sigintRunsEveryCleanupOnceAndExits130() throws Exception {
        Result r = signal("INT", false, 1);
        assertEquals(130, r.status, r::toString);
        assertEquals(CLEANUPS, r.linesAfterReady(), r::toString);
    }

    @Test
    @Timeout(60)
    void sigtermRunsEveryCleanupOnceAndExits143() throws Exception {
        Result r = signal("TERM", false, 1);
        assertEquals(143, r.status, r::toString);
        assertEquals(CLEANUPS, r.linesAfterReady(), r::toString);
    }

    @Test
    @Timeout(60)
    void secondSigintWhileStoppingEndsAtOnce() throws Exception {
        Result r = signal("INT", true, 2);
        assertEquals(130, r.status, r::toString);
        List<String> after = r.linesAfterReady();
        assertEquals(List.of("cleanup child 1", "stopping slowly"), after.subList(0, 2), r::toString);
        assertTrue(!after.contains("cleanup main") && !after.contains("cleanup daemon"), r::toString);  // cut short
        assertTrue(r.err.contains("SIGINT again while stopping; exiting at once"), r::toString);
    }

    private record Result(int status, List<String> lines, String err) {
        List<String> linesAfterReady() {
            return lines.subList(lines.indexOf("ready") + 1, lines.size());
        }
    }

    /** Starts {@link SignalProgram}, waits for "ready", sends {@code count} signals and collects the outcome. */
    private static Result signal(String name, boolean slow, int count) throws Exception {
        Process p = start(slow);
        try {
            List<String> lines = new ArrayList<>();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.equals("ready")) {
                    kill(name, p.pid());
                } else if (line.equals("stopping slowly") && count > 1) {
                    kill(name, p.pid());
                }
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the program did not exit");
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            Set<String> once = new LinkedHashSet<>(lines);
            assertEquals(once.size(), lines.size(), () -> "a line was printed twice: " + lines);
            return new Result(p.exitValue(), lines, err);
        } finally {
            p.destroyForcibly();
        }
    }

    private static void kill(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill failed");
    }

    private static Process start(boolean slow) throws IOException {
        List<String> command = TestSupport.javaCommand(SignalProgram.class);
        if (slow) {
            command.add("slow");
        }
        return new ProcessBuilder(command).start();
    }
}
