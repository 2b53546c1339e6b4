package org.curio.io.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.io.Listener;
import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The two-way stream contract applied to sockets (TCP over IPv4 and IPv6 loopback, Unix socket pairs,
 * and a socket pair seen only as {@link Connection}s), to in-memory streams (pairs with several
 * buffer, chunk and delay settings, and a listener with a connector), and the contract's own power
 * to catch faults.
 */
class StreamContractTest {
    /** Every check of the contract holds for TCP over 127.0.0.1, TCP over ::1 (where it exists) and socketpair(). */
    @TestFactory
    Stream<DynamicNode> contract() {
        List<DynamicNode> nodes = new ArrayList<>();
        nodes.add(suite("tcp over 127.0.0.1", () -> tcp("127.0.0.1", Socket.Family.INET)));
        if (ipv6LoopbackWorks()) {
            nodes.add(suite("tcp over ::1", () -> tcp("::1", Socket.Family.INET6)));
        }
        nodes.add(suite("unix socketpair", () -> {
            Socket.Pair pair = Socket.pair();
            return new StreamContract.Pair(pair.first(), pair.second());
        }));
        nodes.add(suite("unix socketpair behind plain connections", () -> faultyPair(Fault.NONE)));
        MemoryNetwork.Options d = MemoryNetwork.Options.defaults();
        nodes.add(suite("memory pair", () -> memory(d)));
        nodes.add(suite("memory pair, 16 KiB buffers, 1-byte chunks", () -> memory(d.withBufferSize(16 * 1024).withChunkSize(1))));
        nodes.add(suite("memory pair, random chunks and 3 ms delay",
                () -> memory(d.withBufferSize(16 * 1024).withRandomChunks(700, 42).withDelay(Duration.ofMillis(3)))));
        nodes.add(suite("memory listener and connector", () -> {
            MemoryNetwork network = MemoryNetwork.create(d.withBufferSize(16 * 1024));
            try (Listener<MemoryConnection> listener = network.listen("contract")) {
                MemoryConnection client = network.connect("contract");
                return new StreamContract.Pair(client, listener.accept());
            }
        }));
        return nodes.stream();
    }

    /** A connected in-memory pair with {@code options}. */
    private static StreamContract.Pair memory(MemoryNetwork.Options options) {
        MemoryNetwork.Pair pair = MemoryNetwork.create(options).pair();
        return new StreamContract.Pair(pair.left(), pair.right());
    }

    /** Corrupted bytes fail sendAndReceive, with a message naming the check and the first differing byte. */
    @Test
    void corruptedBytesAreCaught() throws Exception {
        String message = failureOf("sendAndReceive", Fault.CORRUPT_FIRST_BYTE);
        assertTrue(message.contains("first difference at byte 0 (expected \"ping 0\", got \"qing 0\")"), message);
    }

    /** A connection that makes a new stream on every asStream() call fails streamOverConnection. */
    @Test
    void aNewStreamPerCallIsCaught() throws Exception {
        String message = failureOf("streamOverConnection", Fault.NEW_STREAM_PER_CALL);
        assertTrue(message.endsWith("asStream() returned a different stream on the second call"), message);
    }

    /** Reporting end of stream for a full buffer fails emptyTransfers. */
    @Test
    void endOfStreamForAFullBufferIsCaught() throws Exception {
        String message = failureOf("emptyTransfers", Fault.FULL_BUFFER_IS_END);
        assertTrue(message.endsWith("recvInto an empty buffer returned -1, expected 0"), message);
    }

    /** A sendAll that claims every byte went out when it timed out fails cancelSendReportsProgress. */
    @Test
    void overstatedProgressIsCaught() throws Exception {
        String message = failureOf("cancelSendReportsProgress", Fault.OVERSTATE_PROGRESS);
        assertTrue(message.contains("the timed-out sendAll reported 67108864 bytes sent (its buffer's position), but"
                + " the peer read "), message);
    }

    /** Runs one check over a faulty socket pair and returns its failure message, which must name the check. */
    private static String failureOf(String name, Fault fault) throws Exception {
        StreamContract.Check check = StreamContract.checks(() -> faultyPair(fault)).stream()
                .filter(c -> c.name().equals(name)).findFirst().orElseThrow();
        TreeMap<Integer, String> before = IoHarness.openFds();
        AssertionError e = assertThrows(AssertionError.class, check::run);
        IoHarness.assertNoNewFds(before);
        String message = String.valueOf(e.getMessage());
        assertTrue(message.startsWith(name + " over Pair[left=Faulty["), message);
        return message;
    }

    private static StreamContract.Pair faultyPair(Fault fault) throws IOException {
        Socket.Pair pair = Socket.pair();
        return new StreamContract.Pair(new Faulty(pair.first(), fault), new Faulty(pair.second(), fault));
    }

    private static DynamicContainer suite(String name, StreamContract.PairFactory factory) {
        return DynamicContainer.dynamicContainer(name, StreamContract.checks(factory).stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    TreeMap<Integer, String> before = IoHarness.openFds();
                    c.run();
                    IoHarness.assertNoNewFds(before);
                })));
    }

    /** Connects a client to a fresh listener on {@code host}, port 0, through {@link Network#connector}. */
    private static StreamContract.Pair tcp(String host, Socket.Family family) throws Exception {
        try (Socket listener = Socket.open(family, Socket.Type.STREAM)) {
            listener.bind(new InetSocketAddress(host, 0));
            listener.listen(1);
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            Task<Socket> accepted = org.curio.kernel.Curio.spawn(listener::accept);
            Socket client = null;
            try {
                client = Network.connector(host, port).connect();
                Socket server = accepted.join();
                StreamContract.Pair pair = new StreamContract.Pair(client, server);
                client = null;
                return pair;
            } finally {
                if (client != null) {
                    client.close();
                }
                if (!accepted.isTerminated()) {
                    accepted.cancel();
                }
            }
        }
    }

    /** {@return whether this machine can listen on the IPv6 loopback address} */
    private static boolean ipv6LoopbackWorks() {
        try (ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
            channel.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A deliberate fault of {@link Faulty}. */
    private enum Fault { NONE, CORRUPT_FIRST_BYTE, NEW_STREAM_PER_CALL, FULL_BUFFER_IS_END, OVERSTATE_PROGRESS }

    /** A socket seen only as a {@link Connection}, with one deliberate fault (or none). */
    private static final class Faulty implements Connection {
        private final Socket socket;
        private final Fault fault;
        private @Nullable ByteStream stream;

        Faulty(Socket socket, Fault fault) {
            this.socket = socket;
            this.fault = fault;
        }

        @Override
        public int recvInto(ByteBuffer dst) throws IOException, CancelledException {
            if (fault == Fault.FULL_BUFFER_IS_END && !dst.hasRemaining()) {
                socket.recvInto(dst);
                return -1;
            }
            int n = socket.recvInto(dst);
            if (fault == Fault.CORRUPT_FIRST_BYTE && n > 0) {
                int at = dst.position() - n;
                dst.put(at, (byte) (dst.get(at) ^ 1));
            }
            return n;
        }

        @Override
        public int send(ByteBuffer src) throws IOException, CancelledException {
            return socket.send(src);
        }

        @Override
        public void sendAll(ByteBuffer src) throws IOException, CancelledException {
            try {
                socket.sendAll(src);
            } finally {
                if (fault == Fault.OVERSTATE_PROGRESS) {
                    src.position(src.limit());
                }
            }
        }

        @Override
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public SocketAddress localAddress() throws IOException {
            return socket.localAddress();
        }

        @Override
        public SocketAddress remoteAddress() throws IOException {
            return socket.remoteAddress();
        }

        @Override
        public boolean isOpen() {
            return socket.isOpen();
        }

        @Override
        public void close() {
            socket.close();
        }

        @Override
        public ByteStream asStream() {
            ByteStream s = stream;
            if (s == null || fault == Fault.NEW_STREAM_PER_CALL) {
                s = ByteStream.of(this);
                stream = s;
            }
            return s;
        }

        @Override
        public String toString() {
            return "Faulty[" + fault + ", " + socket + "]";
        }
    }
}
