package org.curio.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The workers' JFR events: worker calls with their outcome, subprocess spawn and exit. */
class WorkerRecordingTest {
    private static final Set<String> NAMES = Set.of("curio.WorkerCall", "curio.SubprocessSpawn", "curio.SubprocessExit");

    private static String line(RecordedEvent e) {
        return switch (e.getEventType().getName()) {
            case "curio.WorkerCall" -> "WorkerCall " + e.getString("kind") + " " + e.getString("outcome") + " task="
                    + e.getString("taskName");
            case "curio.SubprocessSpawn" -> "SubprocessSpawn " + e.getString("command") + " task=" + e.getString("taskName")
                    + " pid=" + (e.getLong("pid") > 0);
            default -> "SubprocessExit " + e.getString("command") + " status=" + e.getInt("exitStatus")
                    + " pid=" + (e.getLong("pid") > 0);
        };
    }

    @Test
    @Timeout(60)                    // the first recording in a JVM starts JFR, which takes seconds on a busy machine
    void workerCallsAndSubprocessesAreRecorded() throws Exception {
        Path file = Files.createTempFile("workers", ".jfr");
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            for (String name : NAMES) {
                recording.enable(name);
            }
            recording.start();
            ProcHarness.run(() -> {
                assertEquals(42, (int) Workers.runInThread(() -> 42));
                assertThrows(IllegalStateException.class, () -> Workers.runInThread(() -> {
                    throw new IllegalStateException("no");
                }));
                assertEquals(3, Subprocess.command("sh", "-c", "exit 3").run().returnCode());
                return null;
            });
            recording.stop();
            recording.dump(file);
            events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> NAMES.contains(e.getEventType().getName()))
                    .sorted(Comparator.comparing(RecordedEvent::getEndTime)).toList();
        } finally {
            Files.deleteIfExists(file);
        }
        assertEquals(List.of(
                "WorkerCall thread returned task=main",
                "WorkerCall thread failed task=main",
                "SubprocessSpawn sh task=main pid=true",
                "SubprocessExit sh status=3 pid=true"), events.stream().map(WorkerRecordingTest::line).toList());
        assertTrue(events.getLast().getDuration().toNanos() > 0, events::toString);
    }
}
