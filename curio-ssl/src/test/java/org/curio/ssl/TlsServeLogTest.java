package org.curio.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.curio.io.Listener;
import org.curio.io.testing.MemoryConnection;
import org.curio.io.testing.MemoryNetwork;
import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;

/** What a TLS server logs when clients that do not speak TLS keep arriving. */
class TlsServeLogTest {
    private static final int CLIENTS = 30;

    /**
     * Thirty clients sending plaintext to a TLS server: no task crash report and no stack trace (any
     * client can cause this at will), but a warning per failed conversation, rate-limited to ten a
     * minute, so a server whose own settings are wrong still shows it.
     */
    @Test
    void badClientsGiveRateLimitedWarningsNotCrashReports() throws Exception {
        List<String> lines;
        try (LogLines recorder = LogLines.on("org.curio.io", "org.curio.kernel")) {
            TlsTesting.run(() -> {
                MemoryNetwork network = MemoryNetwork.create();
                Listener<MemoryConnection> listener = network.listen("tls");
                Task<?> server = Curio.spawn(() -> Tls.serve(listener, TlsTesting.server(), (client, from) -> {
                    client.recv(1);
                }));
                for (int i = 0; i < CLIENTS; i++) {
                    try (MemoryConnection c = network.connect("tls")) {
                        c.sendAll("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        while (c.recv(100).length > 0) {
                            // the server's alert, then its end of stream
                        }
                    } catch (IOException e) {
                        // the server may close first: what it says to this client is not the point
                    }
                }
                Timeouts.sleep(Duration.ofSeconds(1));
                server.cancel();
            });
            lines = recorder.lines();
        }
        assertEquals(10, lines.size(), lines::toString);
        for (String line : lines) {
            assertTrue(line.startsWith("WARNING TLS with client "), line);
            assertTrue(line.contains("plaintext connection?"), line);
            assertTrue(line.endsWith(" (no stack trace)"), line);
        }
    }
}
