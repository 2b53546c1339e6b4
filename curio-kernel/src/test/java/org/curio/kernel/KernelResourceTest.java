package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Per-kernel resources: one per class, closed by Kernel.close after the tasks, newest first. */
class KernelResourceTest {
    /** A resource that records its close. */
    private record Probe(List<String> events, String name) implements AutoCloseable {
        @Override
        public void close() {
            events.add("close " + name);
        }
    }

    /** A second resource type. */
    private record Other(List<String> events) implements AutoCloseable {
        @Override
        public void close() {
            events.add("close other");
        }
    }

    /** The same instance answers each call; resources close after every task's cleanup, newest first. */
    @Test
    void resourcesCloseAfterTasksNewestFirst() throws Exception {
        List<String> events = new ArrayList<>();
        Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build();
        kernel.run(() -> {
            Probe a = Curio.kernel().resource(Probe.class, () -> new Probe(events, "probe"));
            assertSame(a, Curio.kernel().resource(Probe.class, () -> new Probe(events, "second")));
            Curio.kernel().resource(Other.class, () -> new Other(events));
            Curio.spawnDaemon(() -> {
                try {
                    Timeouts.sleep(Duration.ofDays(1));
                } finally {
                    events.add("daemon cleanup");
                }
            });
            Curio.schedule();
            return null;
        });
        kernel.close();
        assertEquals(List.of("daemon cleanup", "close other", "close probe"), events);
        assertThrows(IllegalStateException.class, () -> kernel.resource(Probe.class, () -> new Probe(events, "late")));
    }
}
