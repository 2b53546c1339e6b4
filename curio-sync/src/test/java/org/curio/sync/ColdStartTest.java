package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The core scenarios of {@link ColdStartProgram} in a JVM of their own, on the backend this suite runs
 * on, so each is the first use of the library's classes: each ends exactly as it should, and no class
 * of the library that has a static initializer is initialized while tasks run (a failed initializer
 * makes a class unusable for the rest of the JVM), nor is any class of the traps and kernel modules
 * even loaded then (the kernel loads them when it is created).
 */
class ColdStartTest {
    private static final Pattern INIT = Pattern.compile("Initializing '(org/curio/[^']+)'(\\(no method\\))?");
    private static final Pattern LOAD = Pattern.compile("\\[class,load\\] (org\\.curio\\.\\S+) source:");

    /**
     * Classes of the library allowed a static initializer that runs on a task's stack, with the
     * reason it cannot fail there short of the JVM running out of memory or stack.
     */
    private static final List<String> TRIVIAL_INITIALIZERS = List.of(
            "org/curio/sync/Checks",                     // allocates one empty trap record
            "org/curio/sync/TaskWaiters");               // allocates one empty trap record

    /** Every scenario ends as it should, and no library class is first loaded or initialized by a task. */
    @Test
    @Timeout(60)
    void coreScenariosInAFreshJvm() throws Exception {
        List<String> lines = runChild();
        List<String> outcomes = new ArrayList<>();
        List<String> violations = new ArrayList<>();
        String scenario = null;
        for (String line : lines) {
            if (line.startsWith("@@ begin ")) {
                scenario = line.substring("@@ begin ".length());
            } else if (line.startsWith("@@ end ")) {
                outcomes.add(line.substring("@@ end ".length()));
                scenario = null;
            } else if (scenario != null) {
                String v = violation(line);
                if (v != null) {
                    violations.add(scenario + ": " + v);
                }
            }
        }
        assertEquals(List.of(), violations, "classes first loaded or initialized while tasks ran");
        assertEquals(List.of(
                "spawn-join: joined 42",
                "cancel-sleeping: [TaskCancelledException at PT1S], cancelled true",
                "cancel-with-pending-timeout: [TaskCancelledException at PT1S], then quiet until PT11S",
                "timeout-expires: timed out after PT2S (Timeouts.after) while sleeping at PT2S",
                "nested-timeouts: inner TimeoutCancellationException, outer TaskTimeoutException at PT1S",
                "task-group-failure: failed with java.lang.IllegalStateException: boom, sleeper cancelled true at PT1S",
                "shielded-region: slept through at PT2S, TaskCancelledException at the end of the region at PT2S",
                "queue: sum 6",
                "lock: acquired at PT1S",
                "event: woken at PT3S",
                "universal-queue: from a thread",
                "task-local: parent's"), outcomes, () -> String.join("\n", lines.stream()
                .filter(l -> !l.startsWith("[")).toList()));
    }

    /** {@return what is wrong with a line the child printed while a scenario ran, or null} */
    private static String violation(String line) {
        Matcher init = INIT.matcher(line);
        if (init.find()) {
            String name = init.group(1);
            boolean hasInitializer = init.group(2) == null;
            boolean preloaded = name.startsWith("org/curio/traps/") || name.startsWith("org/curio/kernel/");
            if (name.startsWith("org/curio/sync/ColdStart") || isHidden(name)) {
                return null;
            }
            if (preloaded) {
                return "initialized " + name;
            }
            if (hasInitializer && !TRIVIAL_INITIALIZERS.contains(name)) {
                return "ran the static initializer of " + name;
            }
            return null;
        }
        Matcher load = LOAD.matcher(line);
        if (load.find()) {
            String name = load.group(1);
            if ((name.startsWith("org.curio.traps.") || name.startsWith("org.curio.kernel.")) && !isHidden(name)) {
                return "loaded " + name;
            }
        }
        return null;
    }

    /**
     * {@return whether {@code name} is a hidden class (a lambda's or a pattern switch's), which is
     * spun in memory by a bootstrap method rather than read from a class file}
     */
    private static boolean isHidden(String name) {
        return name.contains("/0x") || name.contains("+0x");
    }

    private static List<String> runChild() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String backend = System.getProperty("org.curio.backend", "auto");
        List<String> command = new ArrayList<>(List.of(java, "-Dorg.curio.backend=" + backend,
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                "-Xlog:class+init=info,class+load=info:stdout", "-cp", System.getProperty("java.class.path")));
        if (!backend.equals("virtual")) {
            command.add(1, "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");
        }
        command.add(ColdStartProgram.class.getName());
        Path out = Files.createTempFile("curio-cold-start", ".log");
        try {
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!child.waitFor(50, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new AssertionError("the child JVM did not finish in 50 s:\n" + Files.readString(out));
            }
            List<String> lines = Files.readAllLines(out);
            assertTrue(child.exitValue() == 0, () -> "child exited with " + child.exitValue() + "\n"
                    + String.join("\n", lines.stream().filter(l -> !l.startsWith("[")).toList()));
            return lines;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
