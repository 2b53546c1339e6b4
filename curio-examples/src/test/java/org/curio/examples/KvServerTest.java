package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.io.Connector;
import org.curio.io.Listener;
import org.curio.io.MemoryConnection;
import org.curio.io.MemoryNetwork;
import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.VirtualClock;
import org.curio.test.CurioTest;
import org.curio.test.Steps;

/** The key-value server's protocol, over the in-memory network and over TCP, as curio tests. */
class KvServerTest {
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
        try (TaskGroup g = TaskGroup.open()) {
            Listener<MemoryConnection> listener = network.listen("kv");
            g.spawn(() -> {
                new KvServer().serve(listener);
                return null;
            });
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
        try (TaskGroup g = TaskGroup.open()) {
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
        try (TaskGroup g = TaskGroup.open()) {
            Listener<MemoryConnection> listener = network.listen("kv");
            g.spawn(() -> {
                new KvServer().serve(listener);
                return null;
            });
            try (Connection c = network.connect("kv")) {
                c.sendAll("GET a".getBytes(StandardCharsets.US_ASCII));   // half a request, then nothing
                assertEquals(0, c.asStream().readAll().length);
            }
            assertEquals(KvServer.IDLE_TIMEOUT, clock.elapsed());
            g.cancelRemaining();
        }
    }

    /** A line longer than the limit gets an error, and the server hangs up. */
    @CurioTest
    void longLineIsRefused(Steps steps) throws Exception {
        MemoryNetwork network = MemoryNetwork.create(MemoryNetwork.Options.defaults().withBufferSize(100));
        try (TaskGroup g = TaskGroup.open()) {
            Listener<MemoryConnection> listener = network.listen("kv");
            g.spawn(() -> {
                new KvServer().serve(listener);
                return null;
            });
            try (Connection c = network.connect("kv")) {
                ByteStream s = c.asStream();
                steps.record(ask(s, "SET k " + "v".repeat(KvServer.MAX_LINE)));
                steps.record(s.readAll().length);
            }
            g.cancelRemaining();
        }
        steps.assertEvents("ERROR line too long", 0);
    }
}
