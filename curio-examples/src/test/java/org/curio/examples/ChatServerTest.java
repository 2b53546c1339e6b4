package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.io.Listener;
import org.curio.io.testing.MemoryConnection;
import org.curio.io.testing.MemoryNetwork;
import org.curio.kernel.TaskGroup;
import org.curio.test.CurioTest;

/**
 * The chat example with a member who never reads (RELIABILITY.md's R22): the lines waiting for
 * members stay bounded, the silent member is disconnected, and the others go on chatting.
 */
class ChatServerTest {
    private static final int LINES = 2000;

    private static ByteStream join(MemoryNetwork network, String name) throws Exception {
        Connection c = network.connect("chat");
        ByteStream s = c.asStream();
        assertEquals("Your name: ", new String(s.readExactly(11), StandardCharsets.UTF_8));
        s.write((name + "\n").getBytes(StandardCharsets.UTF_8));
        return s;
    }

    /** A member who never reads is disconnected; the queues never hold more than their bound. */
    @CurioTest
    void silentMemberIsDisconnectedAndMemoryStaysBounded() throws Exception {
        MemoryNetwork network = MemoryNetwork.create(MemoryNetwork.Options.defaults().withBufferSize(1024));
        ChatServer chat = new ChatServer();
        try (TaskGroup<Object> g = TaskGroup.open()) {
            Listener<MemoryConnection> listener = network.listen("chat");
            g.spawn(() -> {
                chat.serve(listener);
                return null;
            });
            ByteStream silent = join(network, "silent");            // never reads from now on
            ByteStream alice = join(network, "alice");
            ByteStream bob = join(network, "bob");
            while (chat.memberCount() < 3) {                         // all three receive from now on
                org.curio.kernel.Timeouts.sleep(java.time.Duration.ofMillis(1));
            }
            int[] bobGot = {0};
            int[] maxQueued = {0};
            g.spawn(() -> {                                          // bob reads everything alice says
                while (bobGot[0] < LINES) {
                    String line = new String(bob.readLine(), StandardCharsets.UTF_8);
                    if (line.startsWith("alice:line ")) {
                        assertEquals("alice:line " + bobGot[0] + "\n", line);
                        bobGot[0]++;
                    }
                    maxQueued[0] = Math.max(maxQueued[0], chat.queued());
                }
                return null;
            });
            g.spawn(() -> {                                          // alice reads her own lines too
                while (true) {
                    alice.readLine();
                }
            });
            for (int i = 0; i < LINES; i++) {
                alice.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                maxQueued[0] = Math.max(maxQueued[0], chat.queued());
            }
            while (bobGot[0] < LINES) {
                org.curio.kernel.Timeouts.sleep(java.time.Duration.ofMillis(10));
            }
            assertEquals(LINES, bobGot[0]);
            assertEquals(2, chat.memberCount(), "the silent member is gone");
            assertTrue(maxQueued[0] <= 3 * ChatServer.MAX_PENDING, "lines queued at most: " + maxQueued[0]);
            byte[] rest = silent.readAll();                          // what reached it before the hang-up
            assertTrue(rest.length < 8 * 1024, "the silent member was sent " + rest.length + " bytes");
            g.cancelRemaining();
        }
    }
}
