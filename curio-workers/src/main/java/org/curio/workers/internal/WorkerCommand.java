package org.curio.workers.internal;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The command line of a worker JVM: the parent's {@code java}, its module path, class path and patched
 * classes all on the worker's class path (so every class a job names loads there), the flags curio
 * needs, and {@link WorkerMain}.
 */
final class WorkerCommand {
    /*
     * Implementation notes. The worker runs everything on the class path: a job's classes may come
     * from any of the parent's modules, and in the unnamed module they all see each other without
     * --add-modules or --add-reads. Module patches (how test runners add test classes to a module)
     * arrive as --patch-module options, or as the jdk.module.patch properties the launcher makes of
     * them, and their directories go on the class path too.
     */
    private WorkerCommand() {}

    static List<String> build(int port, long token, List<String> extraOptions) {
        List<String> options = new ArrayList<>();
        options.add("-XX:+ExitOnOutOfMemoryError");    // a worker out of memory dies, and is replaced
        options.addAll(extraOptions);
        return javaCommand(options, WorkerMain.class.getName(), List.of(Integer.toString(port), Long.toString(token)));
    }

    /** {@return a command that runs {@code mainClass} in a JVM like this one, everything on the class path} */
    static List<String> javaCommand(List<String> extraOptions, String mainClass, List<String> args) {
        List<String> inputs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        Set<String> path = new LinkedHashSet<>();
        for (String a : inputs) {
            String patch = a.startsWith("--patch-module=") ? a.substring("--patch-module=".length())
                    : a.startsWith("-Djdk.module.patch.") ? a.substring(a.indexOf('=') + 1) : null;
            if (patch != null && patch.indexOf('=') > 0) {
                path.addAll(List.of(patch.substring(patch.indexOf('=') + 1).split(File.pathSeparator)));
            }
        }
        for (String entry : System.getProperty("jdk.module.path", "").split(File.pathSeparator)) {
            path.addAll(modulePathEntry(entry));
        }
        path.addAll(List.of(System.getProperty("java.class.path", "").split(File.pathSeparator)));
        path.remove("");
        List<String> command = new ArrayList<>();
        command.add(java());
        command.add("--enable-native-access=ALL-UNNAMED");
        if (inputs.stream().anyMatch(a -> a.contains("jdk.internal.vm="))) {
            command.add("--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED");  // the continuation backend
        }
        for (String a : inputs) {
            if (a.startsWith("-Dorg.curio.")) {
                command.add(a);
            }
        }
        command.addAll(extraOptions);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, path));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * {@return the class path entries for one module path entry} A directory that is not an exploded
     * module holds modules: each of its jars and exploded modules is an entry.
     */
    private static List<String> modulePathEntry(String entry) {
        Path p = Path.of(entry.isEmpty() ? "." : entry);
        if (entry.isEmpty() || !Files.isDirectory(p) || Files.exists(p.resolve("module-info.class"))) {
            return entry.isEmpty() ? List.of() : List.of(entry);
        }
        try (Stream<Path> children = Files.list(p)) {
            return children.filter(c -> c.toString().endsWith(".jar") || Files.isDirectory(c))
                    .map(Path::toString).sorted().toList();
        } catch (IOException e) {
            return List.of(entry);
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
