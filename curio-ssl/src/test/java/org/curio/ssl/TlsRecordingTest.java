package org.curio.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code curio.TlsHandshake} JFR event: one per handshake, successful or failed, on each side. Read
 * from a dumped recording: a RecordingStream stopped right after the events sometimes repeats one and
 * drops another here (JDK 25).
 */
class TlsRecordingTest {
    private static String line(RecordedEvent e) {
        return e.getString("side") + " " + e.getString("protocol") + " resumed=" + e.getBoolean("resumed")
                + " cipher=" + !e.getString("cipherSuite").isEmpty() + " task=" + !e.getString("taskName").isEmpty()
                + " peer=" + e.getString("peer").contains("127.0.0.1")
                + (e.getString("failure").isEmpty() ? "" : " failed: " + e.getString("failure").startsWith("TLS handshake (server)"));
    }

    @Test
    @Timeout(60)                    // the first recording in a JVM starts JFR, which takes seconds on a busy machine
    void handshakesAreRecordedWithTheirOutcome() throws Exception {
        Path file = Files.createTempFile("tls", ".jfr");
        List<RecordedEvent> events;
        try (Recording rs = new Recording()) {
            rs.enable("curio.TlsHandshake");
            rs.start();
            TlsTesting.runReal(() -> {
                TlsConnection[] ends = TlsTesting.tcp(TlsTesting.client().withProtocols("TLSv1.3"),
                        TlsTesting.server().withProtocols("TLSv1.3"));
                ends[0].close();
                ends[1].close();
            });
            TlsTesting.runReal(() -> {
                var raw = TlsTesting.rawTcp();
                TlsConnection s = TlsConnection.server(raw[1], TlsTesting.server());
                raw[0].sendAll("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThrows(SSLHandshakeException.class, s::handshake);
                s.close();
                raw[0].close();
            });
            rs.stop();
            rs.dump(file);
            events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("curio.TlsHandshake")).toList();
        } finally {
            Files.deleteIfExists(file);
        }
        List<String> lines = new ArrayList<>(events.stream().sorted(Comparator.comparing(RecordedEvent::getEndTime))
                .map(TlsRecordingTest::line).toList());
        Collections.sort(lines.subList(0, Math.min(2, lines.size())));     // the two ends finish in either order
        assertEquals(List.of(
                "client TLSv1.3 resumed=false cipher=true task=true peer=true",
                "server TLSv1.3 resumed=false cipher=true task=true peer=true",
                "server  resumed=false cipher=false task=true peer=true failed: true"), lines);
        assertTrue(events.stream().allMatch(e -> e.getDuration().toNanos() > 0), events::toString);
    }
}
