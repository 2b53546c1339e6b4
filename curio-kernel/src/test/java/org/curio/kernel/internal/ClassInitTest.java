package org.curio.kernel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.curio.traps.Trap;
import org.junit.jupiter.api.Test;

/** {@link ClassInit} names every class of org.curio.traps and org.curio.kernel, so none is first loaded by a task. */
class ClassInitTest {
    /** The preload lists and the classes the two modules contain are the same set. */
    @Test
    void listsEveryClassOfTrapsAndKernel() throws Exception {
        var listed = new TreeSet<String>();
        listed.addAll(ClassInit.CLASSES);
        listed.addAll(ClassInit.EPOLL);
        listed.addAll(ClassInit.NOT_PRELOADED);
        var present = new TreeSet<String>();
        present.addAll(classesBeside(Trap.class));
        present.addAll(classesBeside(ClassInit.class));
        var unlisted = new TreeSet<>(present);
        unlisted.removeAll(listed);
        var gone = new TreeSet<>(listed);
        gone.removeAll(present);
        assertEquals(List.of(), List.copyOf(unlisted), "classes ClassInit does not name: add them to a list");
        assertEquals(List.of(), List.copyOf(gone), "classes ClassInit names that do not exist");
        assertEquals(ClassInit.CLASSES.size() + ClassInit.EPOLL.size() + ClassInit.NOT_PRELOADED.size(),
                listed.size(), "a class is listed twice");
    }

    /** {@return the names of the main classes in the directory or jar that {@code c} was loaded from} */
    private static List<String> classesBeside(Class<?> c) throws IOException, URISyntaxException {
        Path location = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> files = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> walk = Files.walk(location)) {
                walk.filter(Files::isRegularFile).forEach(p -> files.add(location.relativize(p).toString()));
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                jar.stream().forEach(e -> files.add(e.getName()));
            }
        }
        List<String> names = new ArrayList<>();
        for (String f : files) {
            String name = f.replace('\\', '/');
            if (name.endsWith(".class") && !name.endsWith("module-info.class") && !name.endsWith("package-info.class")
                    && name.startsWith("org/curio/")) {
                names.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
            }
        }
        return names;
    }
}
