package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ResolvedModule;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.curio.io.Connection;
import org.curio.io.testing.MemoryNetwork;
import org.junit.jupiter.api.Test;

/**
 * Checks the published surface of every curio module on the module path: each exports exactly the
 * approved packages, and no public signature mentions a Netty type.
 */
class ApiSurfaceTest {
    /** The approved exports of each module ("pkg to m" for qualified ones). */
    private static final Map<String, Set<String>> APPROVED = Map.of(
            "org.curio.traps", Set.of("org.curio.traps", "org.curio.traps.spi to org.curio.kernel"),
            "org.curio.kernel", Set.of("org.curio.kernel", "org.curio.kernel.spi"),
            "org.curio.sync", Set.of("org.curio.sync"),
            "org.curio.io", Set.of("org.curio.io", "org.curio.io.internal to org.curio.workers"),
            "org.curio.io.testing", Set.of("org.curio.io.testing"),
            "org.curio.ssl", Set.of("org.curio.ssl"),
            "org.curio.workers", Set.of("org.curio.workers"),
            "org.curio.examples", Set.of());

    private static Stream<ResolvedModule> curioModules() {
        return ModuleLayer.boot().configuration().modules().stream()
                .filter(m -> m.name().startsWith("org.curio."));
    }

    /** Every curio module exports exactly its approved packages, and nothing else. */
    @Test
    void exportsAreTheApprovedOnes() {
        Map<String, Set<String>> actual = new TreeMap<>();
        curioModules().forEach(m -> actual.put(m.name(), m.reference().descriptor().exports().stream()
                .map(ApiSurfaceTest::describe).collect(Collectors.toCollection(TreeSet::new))));
        Map<String, Set<String>> expected = new TreeMap<>();
        APPROVED.forEach((k, v) -> expected.put(k, new TreeSet<>(v)));
        expected.keySet().retainAll(actual.keySet());
        assertEquals(expected, actual);
    }

    /**
     * The testing tools are a module of their own, which exports only its package and requires curio-io
     * transitively: production code that depends on curio-io sees none of them. Tests use it, so it may
     * be on the class path here; its descriptor is read from where its classes come from.
     */
    @Test
    void testingToolsAreAModuleApart() throws Exception {
        Module module = MemoryNetwork.class.getModule();
        ModuleDescriptor descriptor;
        if (module.isNamed()) {
            descriptor = module.getDescriptor();
        } else {
            Path location = Path.of(MemoryNetwork.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            descriptor = ModuleFinder.of(location).findAll().iterator().next().descriptor();
        }
        assertEquals("org.curio.io.testing", descriptor.name());
        assertEquals(Set.of("org.curio.io.testing"), descriptor.exports().stream().map(ApiSurfaceTest::describe)
                .collect(Collectors.toSet()));
        assertTrue(descriptor.requires().stream().anyMatch(r -> r.name().equals("org.curio.io")
                && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)), descriptor::toString);
        Set<String> ioPackage = Stream.of("MemoryNetwork", "MemoryConnection", "MemoryAddress", "Link",
                "StreamContract").filter(ApiSurfaceTest::inIoPackage).collect(Collectors.toSet());
        assertEquals(Set.of(), ioPackage, "testing tools still in org.curio.io");
    }

    private static boolean inIoPackage(String simpleName) {
        try {
            Class.forName("org.curio.io." + simpleName, false, Connection.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static String describe(ModuleDescriptor.Exports e) {
        return e.isQualified() ? e.source() + " to " + String.join(",", new TreeSet<>(e.targets())) : e.source();
    }

    /** The curio modules are named modules on the module path, not automatic ones or the class path. */
    @Test
    void modulesAreExplicit() {
        List<String> automatic = curioModules().filter(m -> m.reference().descriptor().isAutomatic())
                .map(ResolvedModule::name).toList();
        assertEquals(List.of(), automatic);
        assertTrue(curioModules().count() >= 7, "curio modules not on the module path");
    }

    /** No public or protected signature of a package exported to everyone mentions a Netty type. */
    @Test
    void noNettyTypeInThePublicApi() throws IOException, ClassNotFoundException {
        List<String> leaks = new ArrayList<>();
        int scanned = 0;
        for (ResolvedModule m : curioModules().toList()) {
            Set<String> exported = m.reference().descriptor().exports().stream()
                    .filter(e -> !e.isQualified())             // a qualified export is not public API
                    .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
            try (ModuleReader reader = m.reference().open()) {
                for (String entry : reader.list().toList()) {
                    if (!entry.endsWith(".class") || entry.endsWith("module-info.class")) {
                        continue;
                    }
                    String className = entry.substring(0, entry.length() - 6).replace('/', '.');
                    String pkg = className.substring(0, className.lastIndexOf('.'));
                    if (!exported.contains(pkg)) {
                        continue;
                    }
                    Class<?> c = Class.forName(className, false, ModuleLayer.boot().findLoader(m.name()));
                    if (Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers())) {
                        scan(c, leaks);
                        scanned++;
                    }
                }
            }
        }
        assertEquals(List.of(), leaks);
        assertTrue(scanned > 20, "too few public classes scanned: " + scanned);
    }

    private static void scan(Class<?> c, List<String> leaks) {
        List<Type> types = new ArrayList<>();
        types.add(c.getGenericSuperclass());
        types.addAll(List.of(c.getGenericInterfaces()));
        for (Method m : c.getDeclaredMethods()) {
            if (visible(m.getModifiers())) {
                types.add(m.getGenericReturnType());
                types.addAll(List.of(m.getGenericParameterTypes()));
                types.addAll(List.of(m.getGenericExceptionTypes()));
            }
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (visible(k.getModifiers())) {
                types.addAll(List.of(k.getGenericParameterTypes()));
            }
        }
        for (Field f : c.getDeclaredFields()) {
            if (visible(f.getModifiers())) {
                types.add(f.getGenericType());
            }
        }
        for (Type t : types) {
            if (t != null && t.getTypeName().contains("io.netty")) {
                leaks.add(c.getName() + " mentions " + t.getTypeName());
            }
        }
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }
}
