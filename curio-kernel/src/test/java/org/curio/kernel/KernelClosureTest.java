package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The kernel is closed: the library features of {@code org.curio.kernel} (timeouts, task groups,
 * cancellation control, task-locals) reach the kernel through traps only, as any other module would.
 * Only the façade that creates and runs kernels (one, or a group) may use {@code org.curio.kernel.internal}.
 */
class KernelClosureTest {
    /** The classes that make up the kernel's façade: they build, run, observe and report on the loop. */
    private static final Set<String> FACADE = Set.of("Kernel", "Curio", "Ledger", "Debug", "VirtualClock",
            "CoroutineBackend", "Monitor", "KernelGroup");

    private static final Pattern INTERNAL = Pattern.compile("\\borg\\.curio\\.kernel\\.internal\\b");

    /** No source file of the package but the façade names the kernel's internals, even fully qualified. */
    @Test
    void libraryClassesUseTrapsOnly() throws IOException {
        Path dir = Path.of("src", "main", "java", "org", "curio", "kernel");
        assertTrue(Files.isDirectory(dir), "run from the module directory: " + dir.toAbsolutePath());
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String name = f.getFileName().toString().replace(".java", "");
                if (FACADE.contains(name) || name.equals("package-info")) {
                    continue;
                }
                checked++;
                String code = withoutComments(Files.readString(f));
                if (INTERNAL.matcher(code).find()) {
                    offenders.add(name);
                }
            }
        }
        assertTrue(checked >= 8, "too few library classes checked: " + checked);
        assertEquals(List.of(), offenders, "library classes that reach into org.curio.kernel.internal;"
                + " give them a trap instead");
    }

    /** {@return the code without its comments, so documentation may mention the internals} */
    private static String withoutComments(String code) {
        return code.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }
}
