package org.curio.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RELIABILITY.md's R23: the library's TCP server, in a child JVM started with a descriptor limit of
 * 256, receives 1,000 clients. It stays alive, keeps echoing for the clients it had, uses little CPU
 * while it backs off, logs the burst (so what logging needs was loaded before the descriptors ran
 * out), and serves new clients once the others have closed.
 */
class EmfileChildTest {
    static final int LIMIT = 256;
    static final int CLIENTS = 1000;

    /** Out of descriptors, the server lives, serves its clients, idles while it backs off, and recovers. */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void serverSurvivesDescriptorExhaustion() throws Exception {
        Path log = Files.createTempFile("emfile-server", ".log");
        Process child = ChildJvm.start(EmfileServer.class.getName(), LIMIT, log);
        List<java.net.Socket> all = new ArrayList<>();
        try {
            int port = ChildJvm.awaitPort(child);
            InetSocketAddress address = new InetSocketAddress(IoHarness.LOOPBACK, port);
            List<java.net.Socket> established = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                established.add(ChildJvm.client(address));
                assertEquals("hello " + i, ChildJvm.roundTrip(established.getLast(), "hello " + i));
            }
            all.addAll(established);
            List<java.net.Socket> flood = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                flood.add(ChildJvm.client(address));     // the listen queue takes them; accept runs out
            }
            all.addAll(flood);
            ChildJvm.awaitLine(log, "backing off", 10_000);
            for (int round = 0; round < 3; round++) {
                for (java.net.Socket s : established) {
                    assertEquals("still " + round, ChildJvm.roundTrip(s, "still " + round));
                }
            }
            Thread.sleep(500);                                   // let the child's compiler settle
            double share = ChildJvm.cpuShare(child.pid(), 1_000);
            assertTrue(share < 0.20, "the server used " + share + " of a core while backing off");
            assertTrue(child.isAlive(), "the server died");
            for (java.net.Socket s : flood) {
                s.close();
            }
            for (int i = 0; i < 5; i++) {
                try (java.net.Socket s = ChildJvm.client(address)) {
                    assertEquals("new " + i, ChildJvm.roundTrip(s, "new " + i));
                }
            }
            ChildJvm.awaitLine(log, "works again", 10_000);
            assertTrue(child.isAlive(), "the server died");
            System.out.println("R23: server cpu share while backing off " + share);
        } finally {
            for (java.net.Socket s : all) {
                s.close();
            }
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            System.out.println("R23 server log:\n" + Files.readString(log));
            Files.deleteIfExists(log);
        }
    }
}
