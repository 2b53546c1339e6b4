package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.curio.traps.CancelledException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A kernel's MBean through the platform MBean server: counters, ps, where, cancel, taskTree; gone at close. */
@Timeout(30)
class MonitorJmxTest {
    static {
        // The tests patched into the kernel module read java.management through it; make sure of it.
        MonitorJmxTest.class.getModule().addReads(ModuleLayer.boot().findModule("java.management").orElseThrow());
    }

    /** Attributes and operations answer while the kernel runs; the MBean is unregistered at close. */
    @Test
    void attributesAndOperations() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> before = server.queryNames(new ObjectName("org.curio:type=Kernel,*"), null);
        AtomicLong childId = new AtomicLong();
        CompletableFuture<Void> started = new CompletableFuture<>();
        CompletableFuture<String> childOutcome = new CompletableFuture<>();
        Kernel kernel = Kernel.builder().jmx(true).build();
        Set<ObjectName> names = server.queryNames(new ObjectName("org.curio:type=Kernel,*"), null);
        names.removeAll(before);
        assertEquals(1, names.size(), names::toString);
        ObjectName name = names.iterator().next();
        CompletableFuture<Object> run = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                run.complete(kernel.run(() -> {
                    var child = Curio.spawn("sleeper", () -> {
                        try {
                            Timeouts.sleep(java.time.Duration.ofMinutes(5));
                            childOutcome.complete("slept");
                            return null;
                        } catch (CancelledException e) {
                            childOutcome.complete(e.getClass().getSimpleName());
                            throw e;
                        }
                    });
                    childId.set(child.id());
                    Curio.schedule();
                    started.complete(null);
                    child.await();
                    return null;
                }));
            } catch (Exception | Error e) {
                run.completeExceptionally(e);
            }
        });
        started.get(10, TimeUnit.SECONDS);
        assertEquals(2, server.getAttribute(name, "Tasks"));
        assertEquals(1, server.getAttribute(name, "Timers"));
        assertEquals(0, server.getAttribute(name, "Ready"));
        assertEquals(0, server.getAttribute(name, "Registrations"));
        assertEquals(0, server.getAttribute(name, "HandOffs"));
        assertTrue((Long) server.getAttribute(name, "Cycles") >= 2);
        assertEquals(kernel.backend().name().toLowerCase(java.util.Locale.ROOT), server.getAttribute(name, "Backend"));

        String ps = (String) server.invoke(name, "ps", new Object[0], new String[0]);
        assertTrue(ps.matches("\\{\"kernel\":\\d+,\"exact\":true,\"tasks\":\\[\\{\"id\":\\d+,\"name\":\"main\","
                + "\"state\":\"TASK_JOIN\".*\\{\"id\":" + childId.get() + ",\"name\":\"sleeper\",\"state\":\"TIME_SLEEP\","
                + "\"cycles\":1,\"timeout\":null,\"sleep\":\\d+(\\.\\d+)?,\"parent\":\\d+,\"daemon\":false,\"group\":\"\"}]}"), ps);
        String tree = (String) server.invoke(name, "taskTree", new Object[0], new String[0]);
        assertTrue(tree.matches("\\{\"kernel\":\\d+,\"tasks\":\\[\\{\"id\":\\d+,\"name\":\"main\".*\"children\":\\[\\{\"id\":"
                + childId.get() + ",.*\"children\":\\[]}]}]}"), tree);
        String where = (String) server.invoke(name, "where", new Object[] {childId.get()}, new String[] {"long"});
        assertTrue(where.startsWith("{\"id\":" + childId.get() + ",\"state\":\"TIME_SLEEP\",\"note\":\"\",\"frames\":[\""), where);
        assertTrue(where.contains("MonitorJmxTest.lambda$attributesAndOperations"), where);
        String cancel = (String) server.invoke(name, "cancel", new Object[] {childId.get()}, new String[] {"long"});
        assertEquals("{\"id\":" + childId.get() + ",\"requested\":true,\"terminated\":true}", cancel);
        assertEquals("TaskCancelledException", childOutcome.get(5, TimeUnit.SECONDS));
        run.get(10, TimeUnit.SECONDS);
        kernel.close();
        assertFalse(server.isRegistered(name));
    }
}
