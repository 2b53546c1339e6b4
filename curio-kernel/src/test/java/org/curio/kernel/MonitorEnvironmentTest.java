package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code CURIOMONITOR} in a real JVM: a {@code Curio.run} program gets a console at the address the
 * variable names, and without it none; {@code signal TERM} from the console stops the program as a
 * SIGTERM from outside does (cleanup runs, status 143).
 */
class MonitorEnvironmentTest {
    /** CURIOMONITOR=127.0.0.1:0 turns the console on; ps lists main; signal TERM stops the program cleanly. */
    @Test
    @Timeout(60)
    void environmentVariableTurnsTheConsoleOn() throws Exception {
        Process p = start("127.0.0.1:0");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("monitor /127.0.0.1:"), () -> first + " " + stderr(p));
            int port = Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
            try (ConsoleClient client = ConsoleClient.connect(new InetSocketAddress("127.0.0.1", port))) {
                String ps = client.command("ps");
                assertTrue(ps.matches("(?s).*\\n\\d+ +FUTURE_WAIT .* main\\n"), ps);
                assertEquals("raised SIGTERM\n", client.command("signal TERM"));
            }
            assertEquals("cleanup main", out.readLine());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the program did not exit");
            assertEquals(143, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    /** Without CURIOMONITOR there is no console. */
    @Test
    @Timeout(60)
    void offWithoutTheVariable() throws Exception {
        Process p = start(null);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("monitor off", out.readLine());
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String stderr(Process p) {
        try {
            p.destroyForcibly();
            return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static Process start(String monitor) throws IOException {
        List<String> command = TestSupport.javaCommand(MonitorProgram.class);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove(Monitor.ENVIRONMENT_VARIABLE);
        if (monitor != null) {
            builder.environment().put(Monitor.ENVIRONMENT_VARIABLE, monitor);
        }
        return builder.start();
    }
}
