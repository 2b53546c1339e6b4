package org.curio.io.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Every task gets its turn: a reader whose peer keeps it readable all the time (a socket pair, a
 * memory connection) cannot starve a sleeper or outrun its own timeout, because each receive and send
 * draws on the kernel's cooperative budget. Each reader advances the virtual clock by a millisecond per
 * receive, standing for the work it does, so lateness is exact.
 */
class CooperativeBudgetTest {
    /** The budget these tests run with: small, so turns are short and the figures easy to follow. */
    static final int BUDGET = 16;
    private static final Duration MS = Duration.ofMillis(1);
    private static final int CHUNK = 64;
    private static final int MAX_RECEIVES = 2000;

    /** Runs {@code main} on a virtual-clock kernel with {@code budget}; checks ledger and descriptors after. */
    static <T> T run(int budget, VirtualClock clock, Callable<T> main) throws Exception {
        return IoHarness.run(Kernel.builder().clock(clock).cooperativeBudget(budget), main);
    }

    /** One end of a two-way byte path, as the tests use it. */
    interface End {
        void sendAll(ByteBuffer src) throws IOException, CancelledException;

        byte[] recv(int max) throws IOException, CancelledException;
    }

    private static End of(Connection c) {
        return new End() {
            @Override
            public void sendAll(ByteBuffer src) throws IOException, CancelledException {
                c.sendAll(src);
            }

            @Override
            public byte[] recv(int max) throws IOException, CancelledException {
                return c.recv(max);
            }
        };
    }

    /** {@return the end as its buffered stream: reads and writes go through {@link ByteStream}} */
    static End ofStream(Connection c) {
        ByteStream stream = c.asStream();
        return new End() {
            @Override
            public void sendAll(ByteBuffer src) throws IOException, CancelledException {
                stream.write(src);
            }

            @Override
            public byte[] recv(int max) throws IOException, CancelledException {
                return stream.read(max);
            }
        };
    }

    /** Streams a counting byte pattern into {@code out} until cancelled; counts what went out. */
    private static Void stream(End out, long[] sent) throws IOException, CancelledException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        while (true) {
            chunk.clear();
            for (int i = 0; i < CHUNK; i++) {
                chunk.put(i, (byte) (sent[0] + i));
            }
            try {
                out.sendAll(chunk);
            } finally {
                sent[0] += chunk.position();
            }
        }
    }

    // ------------------------------------------------------------------ a sleeper gets its turn

    /** Over a socket pair, a sleeper wakes at the first loop turn after its deadline while the reader streams. */
    @Test
    void socketReaderCannotStarveSleeper() throws Exception {
        assertEquals(List.of("main woke at 80 ms"), sleeperBesideBusyReader(BUDGET, () -> Closer.pair(false)));
    }

    /** Over a datagram socket pair (send, recvFrom), a sleeper wakes at the first loop turn after its deadline. */
    @Test
    void datagramReaderCannotStarveSleeper() throws Exception {
        assertEquals(List.of("main woke at 80 ms"), sleeperBesideBusyReader(BUDGET, Closer::datagrams));
    }

    /** Over a memory connection, a sleeper wakes at the first loop turn after its deadline. */
    @Test
    void memoryReaderCannotStarveSleeper() throws Exception {
        assertEquals(List.of("main woke at 80 ms"), sleeperBesideBusyReader(BUDGET, () -> Closer.pair(true)));
    }

    /*
     * Discussion: main sleeps until 50 ms. Each turn the writer sends 16 chunks and yields, then the
     * reader receives 16 (16 ms) and yields: the clock reads 16, 32, 48, 64 after the reader's turns.
     * The timer expires at the start of the next turn (64 ms), and main runs in that turn after the
     * writer and the reader, at 80 ms. Without the budget the reader runs until its peer's buffer is
     * empty or its 2,000 receives are done, seconds of virtual time later.
     */
    static List<String> sleeperBesideBusyReader(int budget, Opener opener) throws Exception {
        VirtualClock clock = VirtualClock.create();
        List<String> events = new ArrayList<>();
        run(budget, clock, () -> {
            try (Closer pair = opener.open()) {
                long[] sent = new long[1];
                Task<?> writer = Curio.spawn(() -> stream(pair.a, sent));
                Task<?> reader = Curio.spawn(() -> {
                    for (int i = 0; i < MAX_RECEIVES; i++) {
                        pair.b.recv(CHUNK);
                        clock.advance(MS);
                    }
                });
                Timeouts.sleep(Duration.ofMillis(50));
                events.add("main woke at " + clock.elapsed().toMillis() + " ms");
                reader.cancel();
                writer.cancel();
            }
            return null;
        });
        return events;
    }

    // ------------------------------------------------------------------ a timeout fires on a busy reader

    /** A timeout around a socket reader whose peer never lets it wait fires, and no byte is lost. */
    @Test
    void timeoutFiresOnBusySocketReader() throws Exception {
        assertEquals(List.of("timed out at 48 ms"), timeoutOnBusyReader(BUDGET, false));
    }

    /** A timeout around a memory-connection reader whose peer never lets it wait fires, and no byte is lost. */
    @Test
    void timeoutFiresOnBusyMemoryReader() throws Exception {
        assertEquals(List.of("timed out at 48 ms"), timeoutOnBusyReader(BUDGET, true));
    }

    /*
     * Discussion: the reader's 20 ms timeout expires at the turn that starts at 32 ms. The reader is
     * then ready (it yielded), so the timeout stays pending while it resumes from that yield, and is
     * delivered at its next forced yield, one turn later, at 48 ms: the cancellation point comes before
     * the receive that drew on the spent budget, so that receive takes nothing. Without the budget the
     * reader never reaches a cancellation point until its peer's buffer is empty. Afterwards the bytes
     * received plus those left in the connection are exactly the bytes sent.
     */
    static List<String> timeoutOnBusyReader(int budget, boolean memory) throws Exception {
        VirtualClock clock = VirtualClock.create();
        List<String> events = new ArrayList<>();
        run(budget, clock, () -> {
            try (Closer pair = Closer.pair(memory)) {
                long[] sent = new long[1];
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                Task<?> writer = Curio.spawn(() -> stream(pair.a, sent));
                Task<?> reader = Curio.spawn(() -> {
                    try {
                        Timeouts.after(Duration.ofMillis(20), () -> {
                            for (int i = 0; i < MAX_RECEIVES; i++) {
                                received.writeBytes(pair.b.recv(CHUNK));
                                clock.advance(MS);
                            }
                        });
                        events.add("never timed out");
                    } catch (TaskTimeoutException e) {
                        events.add("timed out at " + clock.elapsed().toMillis() + " ms");
                    }
                });
                reader.join();
                writer.cancel();
                pair.closeA();
                byte[] rest;
                while ((rest = pair.b.recv(4096)).length > 0) {
                    received.writeBytes(rest);
                }
                assertPattern(received.toByteArray(), sent[0]);
            }
            return null;
        });
        return events;
    }

    /** Checks that {@code bytes} is the counting pattern of exactly {@code length} bytes. */
    static void assertPattern(byte[] bytes, long length) {
        assertEquals(length, bytes.length, "bytes received and left in flight against bytes sent");
        byte[] expected = new byte[bytes.length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) i;
        }
        assertArrayEquals(expected, bytes, "bytes lost, duplicated or reordered");
    }

    // ------------------------------------------------------------------ plain threads

    /**
     * Sending from a plain thread fails at once, as receiving always did, with the trap layer's
     * message naming the call, before anything is sent.
     */
    @Test
    void ioFromPlainThreadFailsConsistently() throws Exception {
        try (Socket.Pair pair = Socket.pair()) {
            IllegalStateException send = assertThrows(IllegalStateException.class,
                    () -> pair.first().sendAll(new byte[] {1}));
            IllegalStateException recv = assertThrows(IllegalStateException.class, () -> pair.second().recv(1));
            String rest = " called outside any curio task (thread " + Thread.currentThread().getName()
                    + "); it works only in a task: start the program with Curio.run or Kernel.run and call it"
                    + " from there (trap Budget)";
            assertEquals("Socket.sendAll" + rest, send.getMessage());
            assertEquals("Socket.recv" + rest, recv.getMessage());
            assertEquals("org.curio.traps.Traps", send.getStackTrace()[0].getClassName());
        }
    }

    /** Opens two connected ends. */
    @FunctionalInterface
    interface Opener {
        Closer open() throws IOException;
    }

    /** Two connected ends over a socket pair or a memory network; closes both. */
    static final class Closer implements AutoCloseable {
        final End a;
        final End b;
        private final Runnable closeA;
        private final Runnable all;

        private Closer(End a, End b, Runnable closeA, Runnable all) {
            this.a = a;
            this.b = b;
            this.closeA = closeA;
            this.all = all;
        }

        static Closer pair(boolean memory) throws IOException {
            if (memory) {
                MemoryNetwork network = MemoryNetwork.create();
                MemoryNetwork.Pair p = network.pair();
                return new Closer(of(p.left()), of(p.right()), p.left()::close, () -> {
                    p.close();
                    network.close();
                });
            }
            Socket.Pair p = Socket.pair();
            return new Closer(of(p.first()), of(p.second()), p.first()::close, p::close);
        }

        /** {@return a socket pair or a memory pair whose ends are used through their buffered streams} */
        static Closer streams(boolean memory) throws IOException {
            if (memory) {
                MemoryNetwork network = MemoryNetwork.create();
                MemoryNetwork.Pair p = network.pair();
                return new Closer(ofStream(p.left()), ofStream(p.right()), p.left()::close, () -> {
                    p.close();
                    network.close();
                });
            }
            Socket.Pair p = Socket.pair();
            return new Closer(ofStream(p.first()), ofStream(p.second()), p.first()::close, p::close);
        }

        /** {@return a Unix datagram socket pair, sending with send and receiving with recvFrom} */
        static Closer datagrams() throws IOException {
            Socket.Pair p = Socket.pair(Socket.Type.DATAGRAM);
            End a = new End() {
                @Override
                public void sendAll(ByteBuffer src) throws IOException, CancelledException {
                    p.first().send(src);
                }

                @Override
                public byte[] recv(int max) throws IOException, CancelledException {
                    return p.first().recvFrom(max).data();
                }
            };
            End b = new End() {
                @Override
                public void sendAll(ByteBuffer src) throws IOException, CancelledException {
                    p.second().send(src);
                }

                @Override
                public byte[] recv(int max) throws IOException, CancelledException {
                    return p.second().recvFrom(max).data();
                }
            };
            return new Closer(a, b, p.first()::close, p::close);
        }

        void closeA() {
            closeA.run();
        }

        @Override
        public void close() {
            all.run();
        }
    }
}
