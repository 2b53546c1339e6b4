package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.curio.kernel.TestSupport.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.curio.traps.CancelledException;
import org.junit.jupiter.api.Test;

/** {@link Kernel#resource}: one instance per kernel and type, closed newest first after every task has ended. */
class KernelResourceTest {

    /** A resource that records its closing. */
    static class Recorded implements AutoCloseable {
        final String name;
        final Harness.Events events;

        Recorded(String name, Harness.Events events) {
            this.name = name;
            this.events = events;
        }

        @Override
        public void close() throws java.io.IOException {
            events.add("close " + name);
        }
    }

    static final class First extends Recorded {
        First(Harness.Events events) {
            super("first", events);
        }
    }

    static final class Second extends Recorded {
        Second(Harness.Events events) {
            super("second", events);
        }

        @Override
        public void close() throws java.io.IOException {
            super.close();
            throw new java.io.IOException("second failed to close");
        }
    }

    static final class Third extends Recorded {
        Third(Harness.Events events) {
            super("third", events);
        }
    }

    /**
     * Each type is created once, on first use, whichever task asks; at close the daemon still running
     * is cancelled first, then the resources close newest first, and a failing one is logged while the
     * older ones still close.
     */
    @Test
    void createdOnceClosedNewestFirstAfterTheTasks() throws Exception {
        var events = new Harness.Events();
        Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build();
        try (TestSupport.LogCapture log = TestSupport.LogCapture.on("org.curio.kernel")) {
            kernel.run(() -> {
                Kernel k = Curio.kernel();
                First a = k.resource(First.class, () -> {
                    events.add(at("create first"));
                    return new First(events);
                });
                First again = k.resource(First.class, () -> {
                    events.add(at("create first again"));
                    return new First(events);
                });
                assertSame(a, again);
                Curio.spawn(() -> k.resource(Second.class, () -> {
                    events.add(at("create second"));
                    return new Second(events);
                })).join();
                k.resource(Third.class, () -> new Third(events));
                Curio.spawnDaemon(() -> {
                    try {
                        Timeouts.sleep(seconds(10));
                    } catch (CancelledException e) {
                        events.add(at("daemon cancelled; resource still open: "
                                + (k.resource(First.class, () -> null) == a)));
                        throw e;
                    }
                });
                Timeouts.sleep(seconds(1));
                return null;
            });
            kernel.close();
            events.assertEquals("create first@0", "create second@0", "daemon cancelled; resource still open: true@1",
                    "close third", "close second", "close first");
            List<String> lines = log.messages().stream().filter(m -> m.contains("closing the kernel's")).toList();
            assertEquals(1, lines.size(), log.messages()::toString);
            assertTrue(lines.getFirst().startsWith("SEVERE closing the kernel's " + Second.class.getName() + " failed"),
                    lines::toString);
        }
    }

    /** Outside the kernel's tasks the call is refused, naming the type and the fix. */
    @Test
    void refusedOutsideTheKernelsTasks() throws Exception {
        try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build()) {
            var e = assertThrows(IllegalStateException.class, () -> kernel.resource(First.class, () -> null));
            assertTrue(e.getMessage().startsWith("Kernel.resource(" + First.class.getName() + ") called outside the tasks of"),
                    e.getMessage());
            kernel.run(() -> {
                var bad = assertThrows(NullPointerException.class, () -> Curio.kernel().resource(First.class, () -> null));
                assertTrue(bad.getMessage().contains("returned null"), bad.getMessage());
                return null;
            });
        }
    }

    /** A resource that holds threads outside the kernel, as a worker pool does. */
    static final class Pool implements AutoCloseable, org.curio.kernel.spi.Holdings {
        volatile long threads = 2;

        @Override
        public java.util.Map<String, Long> holdings() {
            return java.util.Map.of("worker threads", threads, "idle things", 0L);
        }

        @Override
        public void close() {
            threads = 0;
        }
    }

    /**
     * What a resource holds is in the kernel's ledger, by kind, while the kernel runs and after it has
     * closed (kinds with nothing held left out), so a leak check after close catches it.
     */
    @Test
    void holdingsAreInTheLedgerUntilReleased() throws Exception {
        Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build();
        Pool[] pool = new Pool[1];
        kernel.run(() -> {
            pool[0] = Curio.kernel().resource(Pool.class, Pool::new);
            return null;
        });
        assertEquals(new Ledger(0, 0, 0, 0, java.util.Map.of("worker threads", 2L)), kernel.ledger());
        assertTrue(kernel.ledger().kernelIsEmpty());
        assertTrue(!kernel.ledger().isEmpty());
        kernel.close();
        assertEquals(new Ledger(0, 0, 0, 0), kernel.ledger());
        pool[0].threads = 1;                              // a thread that outlived the close shows
        assertEquals(java.util.Map.of("worker threads", 1L), kernel.ledger().resources());
    }
}
