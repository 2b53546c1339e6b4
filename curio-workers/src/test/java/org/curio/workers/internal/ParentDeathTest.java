package org.curio.workers.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.curio.kernel.Kernel;
import org.curio.workers.Workers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Worker JVMs do not outlive their parent. */
class ParentDeathTest {
    /** A parent that starts its workers, prints their pids and waits to be killed. */
    public static final class Parent {
        private Parent() {}

        /**
         * Runs the parent.
         *
         * @param args unused
         * @throws Exception never expected
         */
        public static void main(String[] args) throws Exception {
            try (Kernel kernel = Kernel.create()) {
                kernel.run(() -> {
                    Workers.processLimit(2);
                    Workers.startProcesses();
                    Workers.runInProcess(() -> 1);
                    org.curio.kernel.Curio.spawn(() -> Workers.runInProcess(() -> {
                        Thread.sleep(60_000);                // a busy worker, which reads no requests
                        return null;
                    }));
                    org.curio.kernel.Timeouts.sleep(java.time.Duration.ofMillis(300));
                    System.out.println("PIDS " + Workers.ledger(org.curio.kernel.Curio.kernel()).processes() + " "
                            + String.join(" ", ProcessHandle.current().children().map(p -> Long.toString(p.pid())).toList()));
                    System.out.flush();
                    Thread.sleep(60_000);                 // blocks the kernel on purpose: it is killed meanwhile
                    return null;
                });
            }
        }
    }

    /** Killing the parent with SIGKILL ends its workers within seconds, the busy one too. */
    @Test
    @Timeout(30)
    void workersExitWhenTheParentDies() throws Exception {
        Process parent = new ProcessBuilder(WorkerCommand.javaCommand(List.of(), Parent.class.getName(), List.of()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.US_ASCII));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("PIDS 2 "), String.valueOf(line));
            List<Long> workers = Arrays.stream(line.substring("PIDS 2 ".length()).split(" ")).map(Long::parseLong).toList();
            assertEquals(2, workers.size());
            parent.destroyForcibly();                    // SIGKILL: the parent cannot clean up
            parent.waitFor(5, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (workers.stream().anyMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);                        // polls other processes' state
            }
            assertEquals(List.of(), workers.stream().filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).toList());
        } finally {
            parent.destroyForcibly();
        }
    }
}
