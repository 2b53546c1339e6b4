package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.curio.kernel.TestSupport.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;

/**
 * What differs between the coroutine backends and how each difference shows: the thread a task sees,
 * and traps issued inside {@code synchronized} or where a continuation cannot yield (inside a class
 * initializer, a native frame). The expected outcome is chosen by {@link Kernel#backend()}, so the same
 * suite passes on both.
 */
class BackendTest {
    private static CoroutineBackend backend() {
        try (Kernel kernel = Kernel.create()) {
            return kernel.backend();
        }
    }

    /** The kernel runs on the backend the build selected and never reports AUTO. */
    @Test
    void backendIsTheSelectedOne() {
        CoroutineBackend backend = backend();
        assertNotEquals(CoroutineBackend.AUTO, backend);
        String property = System.getProperty("org.curio.backend", "auto").toLowerCase(Locale.ROOT);
        if (property.equals("continuation")) {
            assertEquals(CoroutineBackend.CONTINUATION, backend);
        } else if (property.equals("virtual")) {
            assertEquals(CoroutineBackend.VIRTUAL, backend);
        }
    }

    /**
     * Each task has its own virtual thread on the virtual backend; all tasks share the kernel's thread on
     * the continuation backend (which is why TaskLocal exists).
     */
    @Test
    void threadSeenByTasks() throws Exception {
        CoroutineBackend backend = backend();
        Harness.runVoid(() -> {
            Thread mine = Thread.currentThread();
            Thread child = Curio.spawn(Thread::currentThread).join();
            if (backend == CoroutineBackend.VIRTUAL) {
                assertTrue(mine.isVirtual() && child.isVirtual());
                assertNotEquals(mine, child);
            } else {
                assertEquals(mine, child);
            }
        });
    }

    /**
     * A trap issued while holding a monitor works on both backends: the task is switched out and
     * resumed still holding the monitor. (Since JDK 24 a continuation may yield while it holds a
     * monitor, so the continuation backend no longer refuses; a second task contending for that
     * monitor would block the kernel on either backend, which is why curio code uses curio locks.)
     */
    @Test
    void trapInsideSynchronized() throws Exception {
        Object lock = new Object();
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> other = Curio.spawn(() -> events.add(at("other task runs")));
            synchronized (lock) {
                Timeouts.sleep(seconds(1));
                events.add(at("slept holding the monitor " + Thread.holdsLock(lock)));
            }
            Timeouts.sleep(seconds(1));
            events.add(at("task goes on " + Thread.holdsLock(lock)));
            other.join();
        });
        events.assertEquals("other task runs@0", "slept holding the monitor true@1", "task goes on false@2");
    }

    /** Issues a trap while its class is being initialized: a native frame is on the stack. */
    private static final class TrapsInItsInitializer {
        static final String OUTCOME = sleepDuringInitialization();

        private TrapsInItsInitializer() {}

        private static String sleepDuringInitialization() {
            try {
                Timeouts.sleep(seconds(1));
                return "slept";
            } catch (IllegalStateException e) {
                return "refused: names native frame " + e.getMessage().contains("native frame");
            } catch (CancelledException e) {
                return "cancelled";
            }
        }
    }

    /**
     * A trap issued inside a class initializer works on the virtual backend; on the continuation
     * backend it fails with an IllegalStateException naming the native frame, and the task goes on.
     */
    @Test
    void trapInsideAClassInitializer() throws Exception {
        CoroutineBackend backend = backend();
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            events.add(at(TrapsInItsInitializer.OUTCOME));
            Timeouts.sleep(seconds(1));
            events.add(at("task goes on"));
            Curio.spawn(() -> events.add(at("kernel still usable"))).join();
        });
        if (backend == CoroutineBackend.VIRTUAL) {
            events.assertEquals("slept@1", "task goes on@2", "kernel still usable@2");
        } else {
            events.assertEquals("refused: names native frame true@0", "task goes on@1", "kernel still usable@1");
        }
    }
}
