package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.io.Connector;
import org.curio.io.Listener;
import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.io.testing.MemoryConnection;
import org.curio.io.testing.MemoryNetwork;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.VirtualClock;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.test.Trace;
import org.curio.test.Trial;

/** The key-value server's protocol, over the in-memory network and over TCP, as curio tests. */
class KvServerTest {
    /** Listens on "kv" now (so clients can connect at once) and serves it in a task of {@code g}. */
    private static void serve(TaskGroup<Object> g, MemoryNetwork network, KvServer server) throws Exception {
        Listener<MemoryConnection> listener = network.listen("kv");
        g.spawn(() -> {
            server.serve(listener);
            return null;
        });
    }

    /** Sends {@code request} and returns the reply line without its newline. */
    private static String ask(ByteStream stream, String request) throws Exception {
        stream.write((request + "\n").getBytes(StandardCharsets.US_ASCII));
        return new String(stream.readLine(), StandardCharsets.US_ASCII).strip();
    }

    /** Runs a conversation against a server on {@code connector}, recording each reply. */
    private static void converse(Connector<?> connector, Steps steps) throws Exception {
        try (Connection c = connector.connect()) {
            ByteStream s = c.asStream();
            for (String request : new String[] {"GET a", "SET a 1", "GET a", "INCR a", "INCR n", "SET w x", "INCR w",
                    "DEL a", "DEL a", "FLY", "SET a", "QUIT"}) {
                steps.record(ask(s, request));
            }
            steps.record(s.readAll().length);               // the server hung up after BYE
        }
    }

    private static final Object[] CONVERSATION = {"NONE", "OK", "VALUE 1", "VALUE 2", "VALUE 1", "OK",
            "ERROR not a number: x", "OK", "NONE", "ERROR unknown command: FLY", "ERROR usage: SET key value", "BYE", 0};

    /** Every command's reply, over the in-memory network. */
    @CurioTest
    void protocolInMemory(Steps steps) throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            serve(g, network, new KvServer());
            converse(network.connector("kv"), steps);
            g.cancelRemaining();
        }
        steps.assertEvents(CONVERSATION);
    }

    /** The same conversation over TCP on loopback: the server code does not change. */
    @CurioTest(realClock = true)
    void protocolOverTcp(Steps steps) throws Exception {
        Socket listening = Network.tcpServerSocket("127.0.0.1", 0);
        int port = ((InetSocketAddress) listening.localAddress()).getPort();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                new KvServer().serve(listening);
                return null;
            });
            converse(Network.connector("127.0.0.1", port), steps);
            g.cancelRemaining();
        }
        steps.assertEvents(CONVERSATION);
    }

    /** A silent client is disconnected after exactly the idle timeout, on the virtual clock. */
    @CurioTest
    void idleClientIsDisconnected(VirtualClock clock) throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            serve(g, network, new KvServer());
            try (Connection c = network.connect("kv")) {
                c.sendAll("GET a".getBytes(StandardCharsets.US_ASCII));   // half a request, then nothing
                assertEquals(0, c.asStream().readAll().length);
            }
            assertEquals(KvServer.IDLE_TIMEOUT, clock.elapsed());
            g.cancelRemaining();
        }
    }

    /**
     * A request cut short by the end of the stream is not executed (found by the property test: a
     * client cancelled in the middle of sending {@code INCR hits} had it applied).
     */
    @CurioTest
    void requestCutShortIsIgnored() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        KvServer server = new KvServer();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            serve(g, network, server);
            try (Connection c = network.connect("kv")) {
                c.sendAll("INCR hits".getBytes(StandardCharsets.US_ASCII));
                c.shutdownOutput();
                assertEquals(0, c.asStream().readAll().length);
            }
            g.cancelRemaining();
        }
        assertEquals(java.util.Map.of(), server.snapshot());
    }

    /** A line longer than the limit gets an error, and the server hangs up. */
    @CurioTest
    void longLineIsRefused(Steps steps) throws Exception {
        MemoryNetwork network = MemoryNetwork.create(MemoryNetwork.Options.defaults().withBufferSize(100));
        try (TaskGroup<Object> g = TaskGroup.open()) {
            serve(g, network, new KvServer());
            try (Connection c = network.connect("kv")) {
                ByteStream s = c.asStream();
                steps.record(ask(s, "SET k " + "v".repeat(KvServer.MAX_LINE)));
                steps.record(s.readAll().length);
            }
            g.cancelRemaining();
        }
        steps.assertEvents("ERROR line too long", 0);
    }

    /** Sends {@code request} as raw bytes with a newline and returns the reply's bytes without it. */
    private static byte[] askBytes(ByteStream stream, byte[]... words) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < words.length; i++) {
            if (i > 0) {
                out.write(' ');
            }
            out.write(words[i]);
        }
        out.write('\n');
        stream.write(out.toByteArray());
        byte[] reply = stream.readLine();
        return java.util.Arrays.copyOf(reply, reply.length - 1);
    }

    private static byte[] b(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] head, byte[] tail) {
        byte[] out = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    /**
     * Keys and values are bytes: two different invalid UTF-8 sequences are two keys, and a value comes
     * back byte for byte.
     */
    @CurioTest
    void keysAndValuesAreBytes() throws Exception {
        byte[] first = {'k', (byte) 0xFF};                      // invalid UTF-8: decodes to "k\uFFFD"
        byte[] second = {'k', (byte) 0xFE};                     // another, decoding to the same string
        byte[] value = {(byte) 0xFF, 'v', (byte) 0x80};
        MemoryNetwork network = MemoryNetwork.create();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            serve(g, network, new KvServer());
            try (Connection c = network.connect("kv")) {
                ByteStream s = c.asStream();
                assertArrayEquals(b("OK"), askBytes(s, b("SET"), first, value));
                assertArrayEquals(b("OK"), askBytes(s, b("SET"), second, b("two")));
                assertArrayEquals(concat(b("VALUE "), value), askBytes(s, b("GET"), first));
                assertArrayEquals(b("VALUE two"), askBytes(s, b("GET"), second));
                assertArrayEquals(b("OK"), askBytes(s, b("DEL"), second));
                assertArrayEquals(concat(b("VALUE "), value), askBytes(s, b("GET"), first));
            }
            g.cancelRemaining();
        }
    }

    /** INCR of the largest long is an error reply, and the value stays as it was. */
    @CurioTest
    void incrementOverflowIsAnError(Steps steps) throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            serve(g, network, new KvServer());
            try (Connection c = network.connect("kv")) {
                ByteStream s = c.asStream();
                steps.record(ask(s, "SET n 9223372036854775806"));
                steps.record(ask(s, "INCR n"));
                steps.record(ask(s, "INCR n"));
                steps.record(ask(s, "GET n"));
                steps.record(ask(s, "SET m -9223372036854775808"));
                steps.record(ask(s, "INCR m"));
            }
            g.cancelRemaining();
        }
        steps.assertEvents("OK", "VALUE 9223372036854775807", "ERROR increment overflows: 9223372036854775807",
                "VALUE 9223372036854775807", "OK", "VALUE -9223372036854775807");
    }

    /**
     * A client that sends a megabyte with no newline gets the error as soon as the server has read
     * the limit, and the server reads no further: most of the megabyte is never taken from the client.
     */
    @CurioTest
    void longLineIsRefusedBeforeBuffering() throws Exception {
        MemoryNetwork network = MemoryNetwork.create(MemoryNetwork.Options.defaults().withBufferSize(4096));
        try (TaskGroup<Object> g = TaskGroup.open()) {
            serve(g, network, new KvServer());
            try (Connection c = network.connect("kv")) {
                java.nio.ByteBuffer flood = java.nio.ByteBuffer.wrap(new byte[1 << 20]);
                java.util.Arrays.fill(flood.array(), (byte) 'x');
                org.curio.traps.Task<?> sender = g.spawn(() -> {
                    try {
                        c.sendAll(flood);
                    } catch (java.io.IOException e) {
                        // the server hung up
                    }
                    return null;
                });
                String reply = new String(c.asStream().readLine(), StandardCharsets.US_ASCII);
                assertEquals("ERROR line too long\n", reply);
                assertEquals(0, c.asStream().readAll().length);
                sender.cancel();
                assertTrue(flood.position() <= KvServer.MAX_LINE + 2 * 4096,
                        () -> "the server took " + flood.position() + " bytes of the line");
            }
            g.cancelRemaining();
        }
    }

    /**
     * A whole faulty scenario (four clients, small buffers, random chunks, a delay, a reset, a stall
     * and a cancellation) on a perturbed schedule gives a byte-identical trace ten times out of ten.
     */
    @org.junit.jupiter.api.Test
    void sameSeedSameTraceEveryTime() {
        List<KvScenario.Command> script = List.of(new KvScenario.Set(0, 1), new KvScenario.Incr(),
                new KvScenario.Get(0), new KvScenario.Incr(), new KvScenario.Del(0));
        KvScenario scenario = new KvScenario(List.of(script, script, script, script),
                List.of(new KvScenario.Fault(1, 1, KvScenario.FaultKind.RESET),
                        new KvScenario.Fault(2, 2, KvScenario.FaultKind.STALL),
                        new KvScenario.Fault(3, 3, KvScenario.FaultKind.CANCEL)),
                MemoryNetwork.Options.defaults().withBufferSize(6).withRandomChunks(5, 11).withDelay(Duration.ofMillis(1)));
        Trial trial = Trial.create().perturbed(2026);
        Trace first = trial.execute(() -> {
            scenario.run(new KvServer());
            return null;
        }).trace();
        assertTrue(first.count() > 1000, () -> "a trace worth comparing: " + first.count() + " lines");
        for (int i = 0; i < 10; i++) {
            Trace again = trial.execute(() -> {
                scenario.run(new KvServer());
                return null;
            }).trace();
            assertEquals(first.toString(), again.toString(), "run " + (i + 1) + " of 10");
        }
    }
}
