package org.curio.kernel;

import static org.curio.kernel.Harness.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;

import org.curio.kernel.internal.FlightRecording;
import org.curio.kernel.internal.KernelLoop;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kernel's JFR events, observed with a {@link RecordingStream}: each names its kernel and task;
 * none is recorded, and the kernel's hook stays off, while no recording runs.
 */
@Timeout(60)                        // the first recording in a JVM starts JFR, which takes seconds on a busy machine
class FlightRecordingTest {
    private static final String[] TASK_EVENTS = {
        "curio.TaskSpawn", "curio.TaskEnd", "curio.TaskCrash", "curio.TaskCancel", "curio.Timeout",
    };

    /** Events of one kernel, as "Type task-name field=value ...", in the order they were committed. */
    private static List<String> lines(List<RecordedEvent> events, String kernel) {
        List<String> lines = new ArrayList<>();
        for (RecordedEvent e : events) {
            if (!kernel.equals(e.getString("kernel"))) {
                continue;
            }
            String type = e.getEventType().getName().substring("curio.".length());
            String line = type + " " + e.getString("taskName");
            line += switch (type) {
                case "TaskSpawn" -> " daemon=" + e.getBoolean("daemon") + " parent=" + (e.getLong("parentId") != 0);
                case "TaskEnd" -> " " + e.getString("outcome");
                case "TaskCrash" -> " " + e.getString("exceptionClass") + " " + e.getString("message") + " at "
                        + e.getString("thrownAt").replaceAll("\\(.*", "");
                case "TaskCancel" -> " by " + e.getString("requestedBy") + " " + e.getString("exceptionClass")
                        + " atOnce=" + e.getBoolean("deliveredAtOnce");
                case "Timeout" -> " own=" + e.getBoolean("own") + " " + e.getString("block") + " "
                        + Duration.ofNanos(e.getLong("timeout"));
                default -> "";
            };
            lines.add(line);
        }
        return lines;
    }

    /** Something a recording is taken around. */
    private interface Program {
        void run() throws Exception;
    }

    /**
     * {@return the events named {@code names} that {@code program} produced, from a recording dumped to a
     * file} Discussion: read from a file rather than a RecordingStream, which, stopped right after the
     * events, sometimes repeats one and drops another on JDK 25.
     */
    private static List<RecordedEvent> record(Program program, Map<String, Duration> thresholds, String... names)
            throws Exception {
        Path file = Files.createTempFile("curio", ".jfr");
        try (Recording recording = new Recording()) {
            for (String name : names) {
                recording.enable(name).withThreshold(thresholds.getOrDefault(name, Duration.ZERO));
            }
            recording.start();
            program.run();
            recording.stop();
            recording.dump(file);
            Set<String> wanted = Set.of(names);
            return RecordingFile.readAllEvents(file).stream()
                    .filter(e -> wanted.contains(e.getEventType().getName()))
                    .sorted(Comparator.comparing(RecordedEvent::getStartTime)).toList();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String kernelName(List<RecordedEvent> events, String task) {
        return events.stream().filter(e -> task.equals(e.getString("taskName"))).findFirst()
                .orElseThrow(() -> new AssertionError("no event of " + task + " in " + events)).getString("kernel");
    }

    private static void crash(String message) {
        throw new IllegalStateException(message);
    }

    /** Spawn, end, crash, cancel and timeouts (own and an enclosing block's) of one small program. */
    @Test
    void taskEventsNameTheKernelAndTheTask() throws Exception {
        assertTrue(FlightRecording.available());
        List<RecordedEvent> events;
        try (TestSupport.LogCapture log = TestSupport.LogCapture.on("org.curio.kernel")) {
            events = record(() -> {
                try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build()) {
                    kernel.run(() -> {
                        Task<Object> sleeper = Curio.spawn("sleeper", () -> {
                            Timeouts.sleep(seconds(10));
                            return null;
                        });
                        Task<Object> crasher = Curio.spawn("crasher", () -> {
                            crash("boom");
                            return null;
                        });
                        Curio.schedule();
                        sleeper.cancel();
                        crasher.await();
                        try {
                            Timeouts.after(seconds(1), () -> Timeouts.after(seconds(2), () -> Timeouts.sleep(seconds(5))));
                        } catch (TaskTimeoutException expected) {
                            // the outer block's own
                        }
                        return null;
                    });
                }
            }, Map.of(), TASK_EVENTS);
            assertEquals(1, log.records().size(), log.messages().toString());
        }
        String kernel = kernelName(events, "main");
        assertTrue(kernel.matches("Kernel-\\d+"), kernel);
        assertEquals(List.of(
                "TaskSpawn main daemon=false parent=false",
                "TaskSpawn sleeper daemon=false parent=true",
                "TaskSpawn crasher daemon=false parent=true",
                "TaskEnd crasher failed",
                "TaskCrash crasher java.lang.IllegalStateException boom at org.curio.kernel.FlightRecordingTest.crash",
                "TaskCancel sleeper by main org.curio.traps.TaskCancelledException atOnce=true",
                "TaskEnd sleeper cancelled",
                "Timeout main own=false Timeouts.after PT2S",
                "Timeout main own=true Timeouts.after PT1S",
                "TaskEnd main returned"), lines(events, kernel));
    }

    /** Spins without a trap for {@code millis} of real time. */
    private static void spinWithoutTrap(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** A run longer than the threshold is recorded when the task suspends, with where it suspended. */
    @Test
    void longRunWithoutATrap() throws Exception {
        List<RecordedEvent> events = record(() -> {
                try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build()) {
                    kernel.run(() -> {
                        Task<Object> hog = Curio.spawn("hog", () -> {
                            spinWithoutTrap(300);
                            Curio.schedule();                  // a plain yield: READY, and the stack still shown
                            Timeouts.sleep(seconds(1));
                            return null;
                        });
                        Task<Object> polite = Curio.spawn("polite", () -> {
                            Timeouts.sleep(seconds(1));
                            return null;
                        });
                        hog.join();
                        polite.join();
                        return null;
                    });
                }
        }, Map.of("curio.LongRun", Duration.ofMillis(150)), "curio.LongRun");
        // Only the hog: the main task's first run may pass the threshold too on a busy machine (class loading).
        List<RecordedEvent> hog = events.stream().filter(e -> !e.getString("taskName").equals("main")).toList();
        assertEquals(1, hog.size(), events.toString());
        RecordedEvent e = hog.getFirst();
        assertEquals("hog", e.getString("taskName"));
        assertEquals("READY", e.getString("suspendedOn"));
        assertTrue(e.getDuration().toMillis() >= 300, e.toString());
        String firstFrame = e.getString("stack").lines().findFirst().orElse("");
        assertTrue(firstFrame.startsWith(FlightRecordingTest.class.getName() + ".lambda$longRunWithoutATrap"),
                e.getString("stack"));
    }

    /** The statistics event reports a kernel's live tasks and timers while it waits. */
    @Test
    void periodicKernelStatistics() throws Exception {
        CompletableFuture<RecordedEvent> seen = new CompletableFuture<>();
        try (RecordingStream rs = new RecordingStream()) {
            rs.enable("curio.KernelStatistics").withPeriod(Duration.ofMillis(50));
            rs.onEvent(e -> {
                if (e.getInt("tasks") == 3 && e.getInt("timers") == 1 && e.getInt("futureWaiters") == 1) {
                    seen.complete(e);
                }
            });
            rs.startAsync();
            try (Kernel kernel = Kernel.builder().build()) {
                kernel.run(() -> {
                    Task<Object> sleeper = Curio.spawn("sleeper", () -> {
                        Timeouts.sleep(Duration.ofHours(1));
                        return null;
                    });
                    Task<Object> waiter = Curio.spawn("waiter", () -> Curio.awaitFuture(seen));
                    waiter.join();
                    sleeper.cancel();
                    return null;
                });
            }
            RecordedEvent e = seen.getNow(null);
            assertTrue(e.getString("kernel").startsWith("Kernel-"), e.toString());
            assertTrue(e.getLong("cycles") >= 3, e.toString());
            assertEquals(0, e.getInt("ready"), e.toString());
        }
    }

    /** With no recording running, the kernel has no hook installed and records nothing. */
    @Test
    void nothingIsRecordedWithoutARecording() throws Exception {
        List<RecordedEvent> events;
        boolean[] hooked = new boolean[3];
        try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).build()) {
            kernel.run(() -> {
                hooked[0] = recordsEvents(kernel);
                return null;
            });
            events = record(() -> kernel.run(() -> {
                hooked[1] = recordsEvents(kernel);
                return null;
            }), Map.of(), TASK_EVENTS);
            kernel.run(() -> {
                hooked[2] = recordsEvents(kernel);
                return null;
            });
        }
        assertFalse(hooked[0], "hooked before any recording");
        assertTrue(hooked[1], "not hooked while recording");
        assertFalse(hooked[2], "still hooked after the recording stopped");
        String kernel = kernelName(events, "main");
        assertEquals(List.of("TaskSpawn main daemon=false parent=false", "TaskEnd main returned"),
                lines(events, kernel));
    }

    private static boolean recordsEvents(Kernel kernel) throws ReflectiveOperationException {
        Field loop = Kernel.class.getDeclaredField("scheduler");
        loop.setAccessible(true);
        return ((KernelLoop) loop.get(kernel)).recordsEvents();
    }
}
