package org.curio.io.testing;

import static org.curio.io.testing.IoHarness.bytes;
import static org.curio.io.testing.IoHarness.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.curio.io.ByteStream;
import org.curio.io.Listener;
import org.curio.io.testing.MemoryNetwork.Options;
import org.curio.io.testing.MemoryNetwork.Pair;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.ReadResourceBusyException;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.WriteResourceBusyException;
import org.junit.jupiter.api.Test;

/**
 * The in-memory network: pairs, listeners and connectors, flow control, chunking, delay on the
 * virtual clock, half-close, close, reset, stall, busy waiters, cancellation with exact progress, and
 * the kernel's ledger empty at the end of every test.
 */
class MemoryNetworkTest {
    /** {@return the kernel clock in whole milliseconds} */
    private static long ms() {
        return Timeouts.clock() / 1_000_000;
    }

    private static Duration millis(long ms) {
        return Duration.ofMillis(ms);
    }

    /** An operation on a connection. */
    @FunctionalInterface
    private interface Op {
        void run() throws IOException, CancelledException;
    }

    /** Joins the group and raises the first failure of its tasks. */
    private static void joinAll(TaskGroup<Object> g) throws Exception {
        g.join();
        g.results();
    }

    // ------------------------------------------------------------------ pairs

    /** Bytes sent on one end of a pair arrive at the other, coalesced, and each end knows both addresses. */
    @CurioTest
    void pairCarriesBytesBothWays(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create();
        try (Pair pair = net.pair(); TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                steps.record("reader waits");
                steps.record("right got " + text(pair.right().recv(100)));
                steps.record("right got " + text(pair.right().recv(100)));
                pair.right().sendAll(bytes("world"));
            });
            Timeouts.sleep(millis(1));
            steps.record("left sends");
            pair.left().sendAll(bytes("hello"));
            Curio.schedule();
            pair.left().sendAll(bytes("ab"));
            pair.left().sendAll(bytes("cd"));
            steps.record("left got " + text(pair.left().recv(100)));
            steps.record(pair.left().localAddress() + " -> " + pair.left().remoteAddress());
            steps.record(pair.right().localAddress() + " -> " + pair.right().remoteAddress());
            joinAll(g);
        }
        steps.assertEvents("reader waits", "left sends", "right got hello", "right got abcd", "left got world",
                "memory:pair#1 -> memory:pair", "memory:pair -> memory:pair#1");
    }

    /** recvInto with no room answers 0, an empty send answers 0, and recv(0) answers nothing, at once. */
    @CurioTest
    void emptyTransfersReturnAtOnce(Steps steps) throws Exception {
        try (Pair pair = MemoryNetwork.create().pair()) {
            steps.record(pair.right().recvInto(ByteBuffer.allocate(0)));
            steps.record(pair.left().send(ByteBuffer.allocate(0)));
            steps.record(pair.right().recv(0).length);
            pair.left().shutdownOutput();
            steps.record(pair.right().recvInto(ByteBuffer.allocate(0)));
            steps.record(pair.right().recvInto(ByteBuffer.allocate(1)));
            steps.record(pair.right().recvInto(ByteBuffer.allocate(1)));
            steps.record(ms());
        }
        steps.assertEvents(0, 0, 0, 0, -1, -1, 0L);
    }

    /** A sender waits while the direction's buffer is full and goes on exactly when the receiver drains. */
    @CurioTest
    void fullBufferHoldsTheSenderUntilTheReceiverDrains(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create(Options.defaults().withBufferSize(4));
        try (Pair pair = net.pair(); TaskGroup<Object> g = TaskGroup.open()) {
            ByteBuffer src = ByteBuffer.wrap(bytes("0123456789"));
            Link link = pair.link();
            g.spawn(() -> {
                pair.left().sendAll(src);
                steps.record("writer done at " + ms());
            });
            g.spawn(() -> {
                for (int round = 0; round < 3; round++) {
                    Timeouts.sleep(millis(1000));
                    steps.record("at " + ms() + ": position " + src.position() + ", in flight "
                            + link.bytesInFlight(pair.right()));
                    steps.record("read " + text(pair.right().recv(round == 0 ? 3 : 100)));
                }
            });
            joinAll(g);
            steps.record("sent " + link.bytesSent(pair.right()) + ", delivered " + link.bytesDelivered(pair.right()));
        }
        steps.assertEvents("at 1000: position 4, in flight 4", "read 012",
                "at 2000: position 7, in flight 4", "read 3456", "writer done at 2000",
                "at 3000: position 10, in flight 3", "read 789", "sent 10, delivered 10");
    }

    // ------------------------------------------------------------------ chunking and delay

    /** With a fixed chunk size, no receive returns more than a chunk, however much is readable. */
    @CurioTest
    void fixedChunksLimitEachReceive(Steps steps) throws Exception {
        try (Pair pair = MemoryNetwork.create().pair(Options.defaults().withChunkSize(3))) {
            pair.left().sendAll(bytes("0123456789"));
            pair.left().shutdownOutput();
            for (byte[] b; (b = pair.right().recv(100)).length > 0; ) {
                steps.record(text(b));
            }
        }
        steps.assertEvents("012", "345", "678", "9");
    }

    /** Random chunks lie in [1, max], cover the stream in order, and the same seed gives the same chunks. */
    @CurioTest
    void seededChunksRepeat() throws Exception {
        List<List<Integer>> runs = new ArrayList<>();
        for (long seed : new long[] {42, 42, 43}) {
            try (Pair pair = MemoryNetwork.create().pair(Options.defaults().withRandomChunks(5, seed))) {
                byte[] sent = new byte[60];
                for (int i = 0; i < sent.length; i++) {
                    sent[i] = (byte) i;
                }
                pair.left().sendAll(sent);
                pair.left().shutdownOutput();
                List<Integer> sizes = new ArrayList<>();
                ByteBuffer got = ByteBuffer.allocate(60);
                while (pair.right().recvInto(got.limit(Math.min(60, got.position() + 100))) > 0) {
                    sizes.add(got.position() - sizes.stream().mapToInt(Integer::intValue).sum());
                }
                assertArrayEquals(sent, got.array());
                runs.add(sizes);
            }
        }
        assertEquals(runs.get(0), runs.get(1));
        assertNotEquals(runs.get(0), runs.get(2));
        for (List<Integer> sizes : runs) {
            assertTrue(sizes.stream().allMatch(n -> n >= 1 && n <= 5), () -> "chunk out of [1, 5]: " + sizes);
            assertTrue(sizes.size() >= 12, () -> "fewer chunks than 60 / 5: " + sizes);
        }
    }

    /** Bytes and the end of stream become readable exactly one delay after they were sent, on the kernel clock. */
    @CurioTest
    void delayIsExactOnTheVirtualClock(Steps steps, VirtualClock clock) throws Exception {
        MemoryNetwork net = MemoryNetwork.create(Options.defaults().withDelay(millis(250)));
        try (Pair pair = net.pair(); TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                steps.record("got " + text(pair.right().recv(100)) + " at " + ms());
                steps.record("got " + text(pair.right().recv(100)) + " at " + ms());
                steps.record("got " + pair.right().recvInto(ByteBuffer.allocate(1)) + " at " + ms());
            });
            pair.left().sendAll(bytes("a"));
            steps.record("sent a at " + ms());
            Timeouts.sleep(millis(100));
            pair.left().sendAll(bytes("b"));
            steps.record("sent b at " + ms());
            Timeouts.sleep(millis(300));
            pair.left().shutdownOutput();
            steps.record("shut down at " + ms());
            joinAll(g);
        }
        steps.assertEvents("sent a at 0", "sent b at 100", "got a at 250", "got b at 350", "shut down at 400",
                "got -1 at 650");
        assertEquals(millis(650), clock.elapsed());
    }

    /** A receive that times out while bytes are on their delay takes nothing; the bytes arrive on time. */
    @CurioTest
    void receiveTimingOutDuringDelayLosesNothing(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create(Options.defaults().withDelay(millis(250)));
        try (Pair pair = net.pair()) {
            pair.left().sendAll(bytes("late"));
            try {
                Timeouts.after(millis(100), () -> pair.right().recv(100));
            } catch (TaskTimeoutException e) {
                steps.record("timeout at " + ms());
            }
            steps.record("in flight " + pair.link().bytesInFlight(pair.right()));
            steps.record("got " + text(pair.right().recv(100)) + " at " + ms());
        }
        steps.assertEvents("timeout at 100", "in flight 4", "got late at 250");
    }

    // ------------------------------------------------------------------ listeners and connectors

    /** A client connects by name, the server accepts, and the two exchange bytes; addresses mirror TCP's. */
    @CurioTest
    void listenerAcceptsAClient(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create();
        try (Listener<MemoryConnection> listener = net.listen("kv"); TaskGroup<Object> g = TaskGroup.open()) {
            steps.record("listening on " + listener.localAddress());
            g.spawn(() -> {
                steps.record("accept wait");
                try (MemoryConnection c = listener.accept()) {
                    steps.record("accepted " + c.localAddress() + " <- " + c.remoteAddress());
                    steps.record("server got " + text(c.recv(100)));
                    c.sendAll(bytes("HI"));
                }
            });
            Timeouts.sleep(millis(1));
            MemoryConnection c = net.connector("kv").connect();
            steps.record("connected " + c.localAddress() + " -> " + c.remoteAddress());
            c.sendAll(bytes("hi"));
            steps.record("client got " + text(c.recv(100)));
            steps.record("client got " + c.recv(100).length);
            steps.record(net.toString());
            c.close();
            joinAll(g);
        }
        steps.record(net.toString());
        steps.assertEvents("listening on memory:kv", "accept wait", "connected memory:kv#1 -> memory:kv",
                "accepted memory:kv <- memory:kv#1", "server got hi", "client got HI", "client got 0",
                "MemoryNetwork[listening=[kv], open=1, made=1]", "MemoryNetwork[listening=[], open=0, made=1]");
    }

    /** Connecting to a name nobody listens on fails at once with "connection refused". */
    @CurioTest
    void connectWithoutListenerIsRefused(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create();
        ConnectException e = assertThrows(ConnectException.class, () -> net.connect("nope"));
        steps.record(e.getMessage());
        steps.record(net.connectionsMade());
        steps.assertEvents("connection refused: nope", 0);
    }

    /** A live name cannot be listened on twice; closing the listener frees it, and connects are refused. */
    @CurioTest
    void closingAListenerFreesItsName(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create();
        Listener<MemoryConnection> first = net.listen("kv");
        steps.record(assertThrows(BindException.class, () -> net.listen("kv")).getMessage());
        first.close();
        first.close();
        steps.record(assertThrows(SocketException.class, first::accept).getMessage());
        steps.record(assertThrows(ConnectException.class, () -> net.connect("kv")).getMessage());
        steps.record(net.openListeners());
        try (Listener<MemoryConnection> second = net.listen("kv")) {
            steps.record(second.localAddress());
            steps.record(net.openListeners());
        }
        steps.assertEvents("address already in use: memory:kv", "listener closed: memory:kv",
                "connection refused: kv", 0, MemoryAddress.of("kv"), 1);
    }

    /** Beyond the backlog, clients wait and are admitted one per accept, in arrival order. */
    @CurioTest
    void backlogAdmitsWaitingClientsInOrder(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create();
        List<MemoryConnection> clients = new ArrayList<>();
        try (Listener<MemoryConnection> listener = net.listen("kv", Options.defaults().withBacklog(1));
             TaskGroup<Object> g = TaskGroup.open()) {
            for (int i = 1; i <= 3; i++) {
                int n = i;
                g.spawn(() -> {
                    steps.record("client " + n + " connects at " + ms());
                    MemoryConnection c = net.connect("kv");
                    clients.add(c);
                    steps.record("client " + n + " is " + c.localAddress() + " at " + ms());
                });
            }
            for (int i = 0; i < 3; i++) {
                Timeouts.sleep(millis(1000));
                try (MemoryConnection c = listener.accept()) {
                    steps.record("accepted " + c.remoteAddress() + " at " + ms());
                }
            }
            joinAll(g);
        }
        clients.forEach(MemoryConnection::close);
        steps.record(net.openConnections());
        steps.assertEvents("client 1 connects at 0", "client 1 is memory:kv#1 at 0", "client 2 connects at 0",
                "client 3 connects at 0", "accepted memory:kv#1 at 1000", "client 2 is memory:kv#2 at 1000",
                "accepted memory:kv#2 at 2000", "client 3 is memory:kv#3 at 2000", "accepted memory:kv#3 at 3000", 0);
    }

    /** A client cancelled while waiting for room makes no connection, and the next client gets its turn. */
    @CurioTest
    void cancelledConnectLeavesTheQueue(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create();
        try (Listener<MemoryConnection> listener = net.listen("kv", Options.defaults().withBacklog(1));
             MemoryConnection first = net.connect("kv"); TaskGroup<Object> g = TaskGroup.open()) {
            Task<?> second = Curio.spawn(() -> net.connect("kv"));
            g.spawn(() -> {
                try (MemoryConnection c = net.connect("kv")) {
                    steps.record("third is " + c.localAddress() + " at " + ms());
                }
            });
            Timeouts.sleep(millis(500));
            steps.record("first is " + first.localAddress());
            second.cancel();
            steps.record("second cancelled: " + second.isCancelled());
            Timeouts.sleep(millis(500));
            listener.accept().close();
            listener.accept().close();
            joinAll(g);
            steps.record("made " + net.connectionsMade());
        }
        steps.assertEvents("first is memory:kv#1", "second cancelled: true", "third is memory:kv#2 at 1000", "made 2");
    }

    /** Closing a listener refuses waiting clients, resets unaccepted connections, and fails a waiting acceptor. */
    @CurioTest
    void closingAListenerRefusesWaitersAndResetsTheBacklog(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create();
        Listener<MemoryConnection> listener = net.listen("kv", Options.defaults().withBacklog(1));
        try (MemoryConnection queued = net.connect("kv"); TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                try {
                    net.connect("kv");
                } catch (ConnectException e) {
                    steps.record("waiting client: " + e.getMessage() + " at " + ms());
                }
            });
            g.spawn(() -> {
                try {
                    queued.recv(10);
                } catch (SocketException e) {
                    steps.record("queued client: " + e.getMessage() + " at " + ms());
                }
            });
            Timeouts.sleep(millis(1000));
            listener.close();
            joinAll(g);
            steps.record("open " + net.openConnections());
        }
        Listener<MemoryConnection> again = net.listen("kv");
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                try {
                    again.accept();
                } catch (SocketException e) {
                    steps.record("acceptor: " + e.getMessage() + " at " + ms());
                }
            });
            Timeouts.sleep(millis(1000));
            again.close();
            joinAll(g);
        }
        steps.assertEvents("queued client: connection reset: memory:kv#1 at 1000",
                "waiting client: connection refused: kv at 1000", "open 1",
                "acceptor: listener closed: memory:kv at 2000");
    }

    // ------------------------------------------------------------------ half-close, close, reset

    /** After shutdownOutput the peer reads the rest, then end of stream forever; the other way still works. */
    @CurioTest
    void shutdownOutputIsAHalfClose(Steps steps) throws Exception {
        try (Pair pair = MemoryNetwork.create().pair()) {
            pair.left().sendAll(bytes("abc"));
            pair.left().shutdownOutput();
            pair.left().shutdownOutput();
            steps.record(pair.left().toString());
            steps.record(assertThrows(SocketException.class, () -> pair.left().sendAll(bytes("x"))).getMessage());
            steps.record(text(pair.right().recv(100)));
            steps.record(pair.right().recv(100).length);
            steps.record(pair.right().recvInto(ByteBuffer.allocate(5)));
            pair.right().sendAll(bytes("still"));
            steps.record(text(pair.left().recv(100)));
        }
        steps.assertEvents("MemoryConnection[memory:pair#1 -> memory:pair, output shut down]",
                "broken pipe: output of memory:pair#1 is shut down", "abc", 0, -1, "still");
    }

    /** Closing an end fails its own waiting receiver and sender with "connection closed"; send progress is exact. */
    @CurioTest
    void closeWakesTasksWaitingOnTheSameEnd(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create(Options.defaults().withBufferSize(1));
        try (Pair pair = net.pair(); TaskGroup<Object> g = TaskGroup.open()) {
            ByteBuffer src = ByteBuffer.wrap(bytes("xy"));
            g.spawn(() -> {
                try {
                    pair.left().recv(10);
                } catch (SocketException e) {
                    steps.record("receiver: " + e.getMessage() + " at " + ms());
                }
            });
            g.spawn(() -> {
                try {
                    pair.left().sendAll(src);
                } catch (SocketException e) {
                    steps.record("sender: " + e.getMessage() + " at " + ms() + ", position " + src.position());
                }
            });
            Timeouts.sleep(millis(1000));
            pair.left().close();
            joinAll(g);
            steps.record("right got " + text(pair.right().recv(10)) + ", then " + pair.right().recv(10).length);
            steps.record(assertThrows(SocketException.class, () -> pair.right().sendAll(bytes("z"))).getMessage());
        }
        steps.assertEvents("receiver: connection closed: memory:pair#1 at 1000",
                "sender: connection closed: memory:pair#1 at 1000, position 1", "right got x, then 0",
                "broken pipe: the peer has closed the connection");
    }

    /** Closing an end gives the peer's waiting receiver end of stream and its waiting sender a broken pipe. */
    @CurioTest
    void closeWakesThePeersTasks(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create(Options.defaults().withBufferSize(1));
        try (Pair pair = net.pair(); TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> steps.record("peer receiver got " + pair.right().recv(10).length + " at " + ms()));
            g.spawn(() -> {
                try {
                    pair.right().sendAll(bytes("xy"));
                } catch (SocketException e) {
                    steps.record("peer sender: " + e.getMessage() + " at " + ms());
                }
            });
            Timeouts.sleep(millis(1000));
            steps.record("in flight " + pair.link().bytesInFlight(pair.left()));
            pair.left().close();
            joinAll(g);
            steps.record("in flight " + pair.link().bytesInFlight(pair.left()));
        }
        steps.assertEvents("in flight 1", "peer receiver got 0 at 1000",
                "peer sender: broken pipe: the peer has closed the connection at 1000", "in flight 0");
    }

    /** After close every operation fails with "connection closed", close is idempotent, and counts drop. */
    @CurioTest
    void useAfterCloseFails(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create();
        Pair pair = net.pair();
        MemoryConnection left = pair.left();
        ByteStream stream = left.asStream();
        assertSame(stream, left.asStream());
        steps.record(net.openConnections());
        left.close();
        left.close();
        steps.record(net.openConnections());
        steps.record(left.isOpen() + " " + stream.isOpen());
        steps.record(assertThrows(SocketException.class, () -> left.recv(1)).getMessage());
        steps.record(assertThrows(SocketException.class, () -> left.send(ByteBuffer.allocate(1))).getMessage());
        steps.record(assertThrows(SocketException.class, left::shutdownOutput).getMessage());
        steps.record(assertThrows(SocketException.class, left::localAddress).getMessage());
        steps.record(assertThrows(SocketException.class, left::remoteAddress).getMessage());
        steps.record(assertThrows(IOException.class, stream::read).getMessage());
        steps.record(left.toString());
        net.close();
        steps.record(net.openConnections() + " " + pair.right().isOpen());
        steps.assertEvents(2, 1, "false false", "connection closed: memory:pair#1", "connection closed: memory:pair#1",
                "connection closed: memory:pair#1", "connection closed: memory:pair#1",
                "connection closed: memory:pair#1", "connection closed: memory:pair#1",
                "MemoryConnection[memory:pair#1 -> memory:pair, closed]", "0 false");
    }

    /** A reset fails every waiting and later operation of both ends ("connection reset") and drops bytes in flight. */
    @CurioTest
    void resetFailsBothEnds(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create(Options.defaults().withBufferSize(4));
        try (Pair pair = net.pair(); TaskGroup<Object> g = TaskGroup.open()) {
            Link link = pair.link();
            link.stall();
            ByteBuffer src = ByteBuffer.wrap(bytes("0123456789"));
            g.spawn(() -> expectReset(steps, "left sender", () -> pair.left().sendAll(src)));
            g.spawn(() -> expectReset(steps, "left receiver", () -> pair.left().recv(10)));
            g.spawn(() -> expectReset(steps, "right receiver", () -> pair.right().recv(10)));
            Timeouts.sleep(millis(1000));
            steps.record("in flight " + link.bytesInFlight(pair.right()) + ", position " + src.position());
            link.reset();
            link.reset();
            joinAll(g);
            steps.record("in flight " + link.bytesInFlight(pair.right()) + ", " + link.isReset());
            expectReset(steps, "later send", () -> pair.right().sendAll(bytes("x")));
            expectReset(steps, "later shutdown", () -> pair.right().shutdownOutput());
            steps.record(pair.right().toString());
        }
        steps.assertEvents("in flight 4, position 4", "left receiver: connection reset: memory:pair#1 at 1000",
                "left sender: connection reset: memory:pair#1 at 1000",
                "right receiver: connection reset: memory:pair at 1000", "in flight 0, true",
                "later send: connection reset: memory:pair at 1000",
                "later shutdown: connection reset: memory:pair at 1000",
                "MemoryConnection[memory:pair -> memory:pair#1, reset]");
    }

    private static void expectReset(Steps steps, String who, Op body) throws Exception {
        try {
            body.run();
            steps.record(who + ": no failure");
        } catch (SocketException e) {
            steps.record(who + ": " + e.getMessage() + " at " + ms());
        }
    }

    /** A stalled link delivers nothing (senders fill the buffer, then wait) until it is resumed. */
    @CurioTest
    void stallHoldsDeliveryUntilResume(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create(Options.defaults().withBufferSize(4));
        try (Pair pair = net.pair(); TaskGroup<Object> g = TaskGroup.open()) {
            Link link = pair.link();
            link.stall();
            steps.record(link.toString());
            ByteBuffer src = ByteBuffer.wrap(bytes("012345"));
            g.spawn(() -> {
                pair.left().sendAll(src);
                steps.record("writer done at " + ms());
            });
            g.spawn(() -> {
                steps.record("got " + text(pair.right().recv(100)) + " at " + ms());
                steps.record("got " + text(pair.right().recv(100)) + " at " + ms());
            });
            Timeouts.sleep(millis(1000));
            steps.record("position " + src.position() + ", in flight " + link.bytesInFlight(pair.right()));
            link.resume();
            joinAll(g);
            steps.record(link.toString());
        }
        steps.assertEvents(
                "Link[memory:pair#1 <-> memory:pair, to right: sent=0 delivered=0, to left: sent=0 delivered=0,"
                        + " stalled]",
                "position 4, in flight 4", "got 0123 at 1000", "writer done at 1000", "got 45 at 1000",
                "Link[memory:pair#1 <-> memory:pair, to right: sent=6 delivered=6, to left: sent=0 delivered=0, up]");
    }

    /** The network can end one direction's stream: the end reads what is in flight, then end of stream. */
    @CurioTest
    void endOfStreamFromTheNetwork(Steps steps) throws Exception {
        try (Pair pair = MemoryNetwork.create().pair(); TaskGroup<Object> g = TaskGroup.open()) {
            pair.left().sendAll(bytes("abc"));
            g.spawn(() -> {
                steps.record("got " + text(pair.right().recv(100)));
                steps.record("got " + pair.right().recv(100).length + " at " + ms());
            });
            Timeouts.sleep(millis(1000));
            pair.link().endOfStream(pair.right());
            joinAll(g);
            steps.record(assertThrows(SocketException.class, () -> pair.left().sendAll(bytes("x"))).getMessage());
            pair.right().sendAll(bytes("back"));
            steps.record("left got " + text(pair.left().recv(100)));
            try (Pair other = MemoryNetwork.create().pair()) {
                String message = assertThrows(IllegalArgumentException.class,
                        () -> pair.link().endOfStream(other.left())).getMessage();
                steps.record(message.startsWith("not an end of Link["));
            }
        }
        steps.assertEvents("got abc", "got 0 at 1000", "broken pipe: output of memory:pair#1 is shut down",
                "left got back", true);
    }

    // ------------------------------------------------------------------ busy, cancellation, progress

    /** A second task that would wait to receive, send or accept gets the busy exception at once. */
    @CurioTest
    void secondWaiterIsBusy(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create(Options.defaults().withBufferSize(1));
        Listener<MemoryConnection> listener = net.listen("kv");
        try (Pair pair = net.pair(); TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> expectClosed(steps, "first receiver", () -> pair.right().recv(10)));
            g.spawn(() -> expectClosed(steps, "first sender", () -> pair.right().sendAll(bytes("xy"))));
            g.spawn(() -> expectClosed(steps, "first acceptor", listener::accept));
            Timeouts.sleep(millis(1000));
            ReadResourceBusyException r = assertThrows(ReadResourceBusyException.class,
                    () -> pair.right().recv(10));
            steps.record("second receiver: " + r.getMessage().replaceFirst("\\(.*\\)", "(…)"));
            WriteResourceBusyException w = assertThrows(WriteResourceBusyException.class,
                    () -> pair.right().sendAll(bytes("z")));
            steps.record("second sender: " + w.getMessage().replaceFirst("\\(.*\\)", "(…)"));
            r = assertThrows(ReadResourceBusyException.class, listener::accept);
            steps.record("second acceptor: " + r.getMessage().replaceFirst("\\(.*\\)", "(…)"));
            Timeouts.sleep(millis(1000));
            pair.right().close();
            listener.close();
            joinAll(g);
        }
        steps.assertEvents("second receiver: another task (…) is already waiting to receive on memory:pair",
                "second sender: another task (…) is already waiting to send on memory:pair",
                "second acceptor: another task (…) is already waiting to accept on memory:kv",
                "first receiver: failed at 2000", "first sender: failed at 2000", "first acceptor: failed at 2000");
    }

    private static void expectClosed(Steps steps, String who, Op body) throws Exception {
        try {
            body.run();
            steps.record(who + ": no failure");
        } catch (SocketException e) {
            steps.record(who + ": failed at " + ms());
        }
    }

    /** A receive cancelled or timed out while waiting takes nothing: the next receive gets every byte. */
    @CurioTest
    void cancelledReceiveLosesNothing(Steps steps) throws Exception {
        try (Pair pair = MemoryNetwork.create().pair()) {
            try {
                Timeouts.after(millis(100), () -> pair.right().recv(100));
            } catch (TaskTimeoutException e) {
                steps.record("timed out at " + ms());
            }
            Task<byte[]> reader = Curio.spawn(() -> pair.right().recv(100));
            Timeouts.sleep(millis(100));
            reader.cancel();
            steps.record("cancelled at " + ms() + ": " + reader.isCancelled());
            pair.left().sendAll(bytes("every byte"));
            steps.record(text(pair.right().recv(100)));
        }
        steps.assertEvents("timed out at 100", "cancelled at 200: true", "every byte");
    }

    /** A sendAll cut off by a timeout or a cancel reports exactly how far it got; the bytes arrive once, in order. */
    @CurioTest
    void cancelledSendAllReportsExactProgress(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create(Options.defaults().withBufferSize(4));
        try (Pair pair = net.pair()) {
            ByteBuffer src = ByteBuffer.wrap(bytes("0123456789"));
            try {
                Timeouts.after(millis(100), () -> pair.left().sendAll(src));
            } catch (TaskTimeoutException e) {
                steps.record("timed out at " + ms() + ", position " + src.position());
            }
            steps.record("got " + text(pair.right().recv(3)));
            Task<?> writer = Curio.spawn(() -> pair.left().sendAll(src));
            Timeouts.sleep(millis(100));
            writer.cancel();
            steps.record("cancelled at " + ms() + ", position " + src.position());
            Task<byte[]> rest = Curio.spawn(() -> pair.right().asStream().readAll());
            pair.left().sendAll(src);
            pair.left().shutdownOutput();
            steps.record("got " + text(rest.join()));
            steps.record("sent " + pair.link().bytesSent(pair.right()));
        }
        steps.assertEvents("timed out at 100, position 4", "got 012", "cancelled at 200, position 7",
                "got 3456789", "sent 10");
    }

    // ------------------------------------------------------------------ streams, observers, options

    /** A ByteStream over a connection that returns one byte per receive still reads whole lines. */
    @CurioTest
    void readLineOverOneByteChunks(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create(Options.defaults().withChunkSize(1));
        try (Listener<MemoryConnection> listener = net.listen("echo"); TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(() -> {
                try (MemoryConnection client = listener.accept()) {
                    ByteStream stream = client.asStream();
                    stream.forEachLine(line -> stream.write(bytes(text(line).toUpperCase(Locale.ROOT))));
                }
            });
            try (MemoryConnection conn = net.connect("echo")) {
                ByteStream stream = conn.asStream();
                stream.write(bytes("alpha\nbeta\ngam"));
                steps.record(text(stream.readLine()));
                stream.write(bytes("ma\ndelta"));
                conn.shutdownOutput();
                for (byte[] line; (line = stream.readLine()).length > 0; ) {
                    steps.record(text(line));
                }
            }
            joinAll(g);
        }
        steps.assertEvents("ALPHA\n", "BETA\n", "GAMMA\n", "DELTA");
    }

    /** The echo server and client of MemoryNetwork's documentation run as shown. */
    @CurioTest
    void documentedEchoRuns(Steps steps) throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        Listener<MemoryConnection> listener = network.listen("echo");
        try (TaskGroup<Object> group = TaskGroup.open()) {
            group.spawn(() -> {
                try (MemoryConnection client = listener.accept()) {
                    client.asStream().forEachLine(client.asStream()::write);
                }
            });
            try (MemoryConnection conn = network.connect("echo")) {
                conn.asStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                steps.record(text(conn.asStream().readLine()));
            }
            group.join();
            group.results();
        }
        listener.close();
        steps.record(network.toString());
        steps.assertEvents("hello\n", "MemoryNetwork[listening=[], open=0, made=1]");
    }

    /** onConnect observers see every new link before it is used, and can inject faults into it. */
    @CurioTest
    void onConnectObserversSeeEveryLink(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create();
        net.onConnect(link -> steps.record("observed " + link));
        net.onConnect(Link::stall);
        try (Listener<MemoryConnection> listener = net.listen("kv"); MemoryConnection c = net.connect("kv");
             MemoryConnection s = listener.accept(); Pair pair = net.pair()) {
            c.sendAll(bytes("held"));
            steps.record("stalled: " + Timeouts.ignoreAfter(millis(500), () -> s.recv(100)).isEmpty());
            c.link().resume();
            steps.record("resumed: " + text(s.recv(100)) + " at " + ms());
            steps.record(pair.link().isStalled());
        }
        steps.assertEvents(
                "observed Link[memory:kv#1 <-> memory:kv, to right: sent=0 delivered=0, to left: sent=0 delivered=0,"
                        + " up]",
                "observed Link[memory:pair#2 <-> memory:pair, to right: sent=0 delivered=0, to left: sent=0"
                        + " delivered=0, up]",
                "stalled: true", "resumed: held at 500", true);
    }

    /** An observer that throws fails the connect, and the connection it saw is closed. */
    @CurioTest
    void throwingObserverFailsTheConnect(Steps steps) throws Exception {
        MemoryNetwork net = MemoryNetwork.create();
        net.onConnect(link -> {
            throw new IllegalStateException("injected");
        });
        try (Listener<MemoryConnection> listener = net.listen("kv")) {
            steps.record(assertThrows(IllegalStateException.class, () -> net.connect("kv")).getMessage());
            steps.record(net.openConnections() + " " + net.connectionsMade());
            steps.record(Timeouts.ignoreAfter(millis(10), listener::accept).isEmpty());
        }
        steps.assertEvents("injected", "0 1", true);
    }

    /** Options reject bad values with a message naming them, and the with-methods change one setting each. */
    @Test
    void optionsAreChecked() {
        Options d = Options.defaults();
        assertEquals(new Options(65536, Options.UNLIMITED, false, 0, Duration.ZERO, 128), d);
        assertEquals("bufferSize must be positive: 0",
                assertThrows(IllegalArgumentException.class, () -> d.withBufferSize(0)).getMessage());
        assertEquals("chunkSize must be positive: 0",
                assertThrows(IllegalArgumentException.class, () -> d.withChunkSize(0)).getMessage());
        assertEquals("chunkSize must be positive: -1",
                assertThrows(IllegalArgumentException.class, () -> d.withRandomChunks(-1, 7)).getMessage());
        assertEquals("delay must not be negative: PT-0.001S",
                assertThrows(IllegalArgumentException.class, () -> d.withDelay(Duration.ofMillis(-1))).getMessage());
        assertEquals("backlog must be positive: 0",
                assertThrows(IllegalArgumentException.class, () -> d.withBacklog(0)).getMessage());
        assertEquals(new Options(65536, 9, true, 7, Duration.ZERO, 128), d.withRandomChunks(9, 7));
        assertEquals(new Options(65536, 9, false, 7, Duration.ZERO, 128), d.withRandomChunks(9, 7).withChunkSize(9));
        assertEquals("name must not be empty",
                assertThrows(IllegalArgumentException.class, () -> MemoryNetwork.create().listen("")).getMessage());
        assertFalse(MemoryAddress.of("kv", 3).equals(MemoryAddress.of("kv")));
        assertEquals(MemoryAddress.of("kv", 3), MemoryAddress.of("kv", 3));
        assertEquals(MemoryAddress.of("kv", 3).hashCode(), MemoryAddress.of("kv", 3).hashCode());
    }

    /** A network belongs to one kernel: a task of a second kernel that waits on it fails clearly. */
    @Test
    void secondKernelIsRefused() throws Exception {
        MemoryNetwork net = MemoryNetwork.create();
        Pair pair = net.pair();
        try (Kernel first = Kernel.builder().clock(VirtualClock.create()).build()) {
            first.run(() -> Timeouts.ignoreAfter(millis(1), () -> pair.right().recv(1)));
        }
        try (Kernel second = Kernel.builder().clock(VirtualClock.create()).build()) {
            IllegalStateException e = second.run(() -> assertThrows(IllegalStateException.class,
                    () -> pair.right().recv(1)));
            assertTrue(e.getMessage().contains("tasks of two kernels"), e.getMessage());
        }
        pair.close();
    }
}
