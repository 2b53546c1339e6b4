package org.curio.io;

import static org.curio.io.IoHarness.anyPort;
import static org.curio.io.IoHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.LogRecord;

import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.io.internal.QuietLog;
import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.test.CurioTest;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY.md's "logs are quiet": a server logs a client's reset as one DEBUG line with no stack
 * trace, leaves other handler failures to the kernel's crash report, rate-limits its own warnings,
 * and a logger that fails never stops the caller.
 */
class ServerLogTest {
    private static final int RESETS = 200;
    private LogRecorder log;
    private List<LogRecord> records;

    @BeforeEach
    void attach() {
        log = LogRecorder.on("org.curio.io");
        records = log.records();
    }

    @AfterEach
    void detach() {
        log.close();
    }

    /** {@return how many records were logged at each level, and checks that none carries a stack trace} */
    private Map<String, Integer> countByLevel() {
        Map<String, Integer> counts = new TreeMap<>();
        for (LogRecord r : records) {
            assertEquals(null, r.getThrown(), () -> "a stack trace in: " + r.getMessage());
            counts.merge(r.getLevel().getName(), 1, Integer::sum);
        }
        return counts;
    }

    /** 200 clients that reset their connection give 200 DEBUG lines and no warning. */
    @CurioTest(realClock = true)
    void resetsAreDebugLines() throws Exception {
        Socket listening = Network.tcpServerSocket(anyPort(), Network.ServerOptions.defaults());
        SocketAddress address = listening.localAddress();
        Task<?> server = Curio.spawn(() -> Network.runServer(listening, ServerLogTest::echo));
        for (int i = 0; i < RESETS; i++) {
            try (Socket s = Socket.open(Family.INET, Type.STREAM)) {
                s.connect(address);
                s.sendAll(bytes("hello"));
                assertEquals(5, s.recv(10).length);         // the handler runs
                s.setOption(StandardSocketOptions.SO_LINGER, 0);   // close() sends a reset
            }
        }
        awaitRecords(RESETS);
        server.cancel();
        assertEquals(Map.of("FINE", RESETS), countByLevel());
        assertTrue(records.getFirst().getMessage().contains("connection reset"), records.getFirst().getMessage());
    }

    /**
     * A handler that fails with anything but a routine peer error crashes its task: the kernel logs
     * that once, with its stack trace, and the server adds no line of its own.
     */
    @CurioTest(realClock = true)
    void otherFailuresAreTheKernelsCrashReports() throws Exception {
        Socket listening = Network.tcpServerSocket(anyPort(), Network.ServerOptions.defaults());
        SocketAddress address = listening.localAddress();
        List<Integer> served = new ArrayList<>();
        try (LogRecorder kernelLog = LogRecorder.on("org.curio.kernel")) {
            Task<?> server = Curio.spawn(() -> Network.runServer(listening, (client, from) -> {
                served.add(served.size());
                throw new IllegalStateException("handler bug " + served.size());
            }));
            for (int i = 0; i < 30; i++) {
                try (Socket s = Socket.open(Family.INET, Type.STREAM)) {
                    s.connect(address);
                    assertEquals(0, s.recv(10).length);         // the server closed it after the failure
                }
            }
            while (served.size() < 30) {
                Timeouts.sleep(java.time.Duration.ofMillis(5));
            }
            server.cancel();
            List<LogRecord> crashes = kernelLog.records();
            assertEquals(30, crashes.size());
            for (int i = 0; i < 30; i++) {
                assertEquals("SEVERE", crashes.get(i).getLevel().getName());
                assertEquals("handler bug " + (i + 1), crashes.get(i).getThrown().getMessage());
            }
        }
        assertEquals(Map.of(), countByLevel());
    }

    /**
     * An Error from accept (a class that cannot be loaded while descriptors are out) does not end the
     * server: it backs off 100, 200 and 400 ms on the kernel clock, then serves, and reports the error.
     */
    @CurioTest
    void errorFromAcceptIsBackedOff(VirtualClock clock) throws Exception {
        Socket real = Network.tcpServerSocket(anyPort(), Network.ServerOptions.defaults());
        SocketAddress address = real.localAddress();
        int[] failures = {3};
        Listener<Socket> flaky = new Listener<>() {
            @Override
            public Socket accept() throws IOException, CancelledException {
                if (failures[0]-- > 0) {
                    throw new NoClassDefFoundError("org/curio/Missing (too many open files)");
                }
                return real.accept();
            }

            @Override
            public SocketAddress localAddress() throws IOException {
                return real.localAddress();
            }

            @Override
            public void close() {
                real.close();
            }
        };
        Task<?> server = Curio.spawn(() -> Network.serve(flaky, (client, from) -> {
            ByteStream stream = client.asStream();
            stream.write(stream.readLine());
        }));
        try (Socket c = Socket.open(Family.INET, Type.STREAM)) {
            c.connect(address);
            c.sendAll(bytes("hi\n"));
            assertEquals("hi\n", IoHarness.text(c.asStream().readLine()));
        }
        assertEquals(java.time.Duration.ofMillis(700), clock.elapsed());
        server.cancel();
        List<String> lines = records.stream().map(LogRecord::getMessage).toList();
        assertEquals(2, lines.size(), lines::toString);
        assertTrue(lines.get(0).contains("failed (java.lang.NoClassDefFoundError"), lines.get(0));
        assertTrue(lines.get(1).contains("works again after 3 failures in PT0.7S; first error: "
                + "java.lang.NoClassDefFoundError"), lines.get(1));
    }

    /** The rate limit lets ten warnings through per minute and counts the rest in one line afterwards. */
    @Test
    void rateLimitCountsWhatItDrops() {
        QuietLog log = new QuietLog(System.getLogger("org.curio.io.test"));
        long minute = QuietLog.WINDOW_NANOS;
        int logged = 0;
        for (int i = 0; i < 25; i++) {
            logged += log.warn("warning " + i, i) ? 1 : 0;
        }
        assertEquals(10, logged);
        assertTrue(log.warn("later", minute + 5));
        List<String> lines = records.stream().map(LogRecord::getMessage).toList();
        assertEquals(12, lines.size(), lines::toString);
        assertEquals("15 similar warnings were not logged in the last 60 s", lines.get(10));
        assertEquals("later", lines.get(11));
    }

    /** A logger that throws (as one does that cannot load its data) does not stop the caller. */
    @Test
    void failingLoggerIsSurvived() {
        LogRecorder broken = LogRecorder.failing("org.curio.io");
        try {
            QuietLog log = new QuietLog(System.getLogger("org.curio.io.test"));
            assertTrue(log.warn("survived", 0));
            log.debug("survived too");
            log.guarded(System.Logger.Level.ERROR, "and this");
        } finally {
            broken.close();
        }
    }

    private void awaitRecords(int n) throws Exception {
        for (int i = 0; i < 1000 && records.size() < n; i++) {
            Timeouts.sleep(java.time.Duration.ofMillis(5));
        }
    }

    private static void echo(Socket client, SocketAddress from) throws Exception {
        byte[] data;
        while ((data = client.recv(100)).length > 0) {
            client.sendAll(data);
        }
    }
}
