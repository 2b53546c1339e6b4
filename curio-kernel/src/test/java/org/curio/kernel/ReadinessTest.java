package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.FileDescriptor;
import org.curio.traps.Pollable;
import org.curio.traps.Readiness;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.junit.jupiter.api.Test;

/**
 * What a readiness wait answers: the events of the edge that ended it, or of the edges the kernel
 * remembered while nobody waited; hang-ups and errors included, so I/O code can tell when a read that
 * drained the descriptor leaves end of stream or a failure behind.
 */
class ReadinessTest {

    private static VirtualClock instantClock() {
        return VirtualClock.withAutojumpThreshold(Duration.ZERO);
    }

    private static void write(FileDescriptor fd, String text) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(text.length());
        buf.put(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).flip();
        assertEquals(text.length(), fd.write(buf, 0, text.length()));
    }

    private static int drain(FileDescriptor fd) throws IOException {
        ByteBuffer sink = ByteBuffer.allocateDirect(65536);
        int total = 0;
        int n;
        while ((n = fd.read(sink, 0, sink.capacity())) > 0) {
            total += n;
        }
        return total;
    }

    /** A reader woken by a writer's data is answered "readable", after the writer ran. */
    @Test
    void wokenReaderIsToldReadable() throws Exception {
        Epoll.ensureAvailability();
        FileDescriptor[] pipe = FileDescriptor.pipe();
        Pollable source = pipe[0]::intValue;
        var events = new Harness.Events();
        try {
            Harness.runVoid(instantClock(), () -> {
                Task<Void> r = Curio.spawn(() -> {
                    events.add("reader waits");
                    events.add("reader woken " + Traps.call(new Trap.ReadWait(source)));
                });
                Timeouts.sleep(Duration.ofSeconds(1));
                events.add("writer writes");
                write(pipe[1], "x");
                r.join();
                Traps.call(new Trap.IoRelease(source));
            });
        } finally {
            pipe[0].close();
            pipe[1].close();
        }
        events.assertEquals("reader waits", "writer writes", "reader woken Readiness[readable]");
    }

    /**
     * Edges that come while nobody waits are remembered together: the next wait returns at once, before a
     * ready task runs, and answers the union of their events (here data, then the writer's hang-up, which
     * makes both directions ready).
     */
    @Test
    void rememberedEdgesAnswerTheirEvents() throws Exception {
        Epoll.ensureAvailability();
        FileDescriptor[] pipe = FileDescriptor.pipe();
        Pollable source = pipe[0]::intValue;
        var events = new Harness.Events();
        try {
            Harness.runVoid(instantClock(), () -> {
                write(pipe[1], "a");
                events.add("first wait " + Traps.call(new Trap.ReadWait(source)));   // registers, then the edge
                assertEquals(1, drain(pipe[0]));
                write(pipe[1], "b");
                Timeouts.sleep(Duration.ofSeconds(1));                               // the kernel polls: data
                pipe[1].close();
                Timeouts.sleep(Duration.ofSeconds(1));                               // and the hang-up
                Curio.spawn(() -> events.add("other task runs"));
                events.add("second wait " + Traps.call(new Trap.ReadWait(source)));
                Curio.schedule();
                assertEquals(1, drain(pipe[0]));
                Traps.call(new Trap.IoRelease(source));
            });
        } finally {
            pipe[0].close();
            pipe[1].close();
        }
        events.assertEquals("first wait Readiness[readable]", "second wait Readiness[readable, writable, hangup]",
                "other task runs");
    }

    /** A writer that waits on a full pipe is answered "writable" once a reader drains it. */
    @Test
    void wokenWriterIsToldWritable() throws Exception {
        Epoll.ensureAvailability();
        FileDescriptor[] pipe = FileDescriptor.pipe();
        Pollable sink = pipe[1]::intValue;
        var events = new Harness.Events();
        try {
            Harness.runVoid(instantClock(), () -> {
                ByteBuffer chunk = ByteBuffer.allocateDirect(65536);
                while (pipe[1].write(chunk, 0, chunk.capacity()) > 0) {
                    // fill the pipe until it would block
                }
                Task<Void> w = Curio.spawn(() -> {
                    events.add("writer waits");
                    events.add("writer woken " + Traps.call(new Trap.WriteWait(sink)));
                });
                Timeouts.sleep(Duration.ofSeconds(1));
                events.add("reader drains");
                drain(pipe[0]);
                w.join();
                Traps.call(new Trap.IoRelease(sink));
            });
        } finally {
            pipe[0].close();
            pipe[1].close();
        }
        events.assertEquals("writer waits", "reader drains", "writer woken Readiness[writable]");
    }

    /** A waiter woken because its descriptor was released is answered NONE. */
    @Test
    void releasedWaiterIsToldNothing() throws Exception {
        Epoll.ensureAvailability();
        FileDescriptor[] pipe = FileDescriptor.pipe();
        Pollable source = pipe[0]::intValue;
        var events = new Harness.Events();
        try {
            Harness.runVoid(instantClock(), () -> {
                Task<Void> r = Curio.spawn(() -> events.add("woken " + Traps.call(new Trap.ReadWait(source))));
                Curio.schedule();
                events.add("release");
                Traps.call(new Trap.IoRelease(source));
                r.join();
            });
        } finally {
            pipe[0].close();
            pipe[1].close();
        }
        events.assertEquals("release", "woken Readiness[none]");
    }

    /**
     * Data and the peer's FIN that arrive before the reader wakes come under one edge, which reports the
     * read-side hang-up with the data: the reader knows end of stream is pending after the data.
     */
    @Test
    void dataAndFinInOneEdgeReportTheHangup() throws Exception {
        try (TcpPair pair = TcpPair.open()) {
            Pollable source = pair.server::intValue;
            var events = new Harness.Events();
            Harness.runVoid(instantClock(), () -> {
                Task<Void> r = Curio.spawn(() -> {
                    events.add("reader waits");
                    Readiness seen = Traps.call(new Trap.ReadWait(source));
                    events.add("reader woken readable=" + seen.isReadable() + " read-hangup="
                            + seen.has(Readiness.READ_HANGUP) + " ends=" + seen.endsStream());
                });
                Curio.schedule();
                events.add("peer sends and shuts down");
                write(pair.client, "last");
                pair.client.shutdown(false, true);
                r.join();
                Traps.call(new Trap.IoRelease(source));
            });
            events.assertEquals("reader waits", "peer sends and shuts down",
                    "reader woken readable=true read-hangup=true ends=true");
        }
    }

    /** A reset from the peer wakes the reader with an error and a hang-up. */
    @Test
    void resetReportsErrorAndHangup() throws Exception {
        try (TcpPair pair = TcpPair.open()) {
            Pollable source = pair.server::intValue;
            var events = new Harness.Events();
            Harness.runVoid(instantClock(), () -> {
                Task<Void> r = Curio.spawn(() -> {
                    Readiness seen = Traps.call(new Trap.ReadWait(source));
                    events.add("reader woken readable=" + seen.isReadable() + " error=" + seen.has(Readiness.ERROR)
                            + " hangup=" + seen.has(Readiness.HANGUP) + " ends=" + seen.endsStream());
                });
                Curio.schedule();
                events.add("peer resets");
                pair.client.setSoLinger(0);
                pair.client.close();
                r.join();
                Traps.call(new Trap.IoRelease(source));
            });
            events.assertEquals("peer resets", "reader woken readable=true error=true hangup=true ends=true");
        }
    }

    /** Each combination of events is one shared instance; unknown bits are refused, naming them. */
    @Test
    void instancesAreSharedAndChecked() {
        assertSame(Readiness.of(Readiness.READABLE | Readiness.ERROR),
                Readiness.of(Readiness.ERROR).with(Readiness.of(Readiness.READABLE)));
        assertSame(Readiness.NONE, Readiness.of(0));
        assertTrue(Readiness.of(Readiness.HANGUP).endsStream());
        assertTrue(!Readiness.of(Readiness.READABLE | Readiness.WRITABLE).endsStream());
        var e = assertThrows(IllegalArgumentException.class, () -> Readiness.of(0x80));
        assertEquals("unknown readiness bits: 0x80 (use Readiness.READABLE, WRITABLE, READ_HANGUP, HANGUP, ERROR, PRIORITY)",
                e.getMessage());
    }

    /** A connected TCP pair over loopback, both ends non-blocking. */
    private record TcpPair(LinuxSocket client, LinuxSocket server) implements AutoCloseable {
        static TcpPair open() throws IOException {
            Epoll.ensureAvailability();
            LinuxSocket listener = LinuxSocket.newSocketStream(false);
            try {
                listener.bind(new InetSocketAddress("127.0.0.1", 0));
                listener.listen(1);
                LinuxSocket client = LinuxSocket.newSocketStream(false);
                client.connect(listener.localAddress());
                byte[] address = new byte[26];
                long deadline = System.nanoTime() + 5_000_000_000L;
                int fd;
                while ((fd = listener.accept(address)) < 0) {
                    if (System.nanoTime() > deadline) {
                        client.close();
                        throw new IOException("loopback connection was not accepted within 5 s");
                    }
                    Thread.onSpinWait();
                }
                client.finishConnect();
                return new TcpPair(client, LinuxSocket.newSocket(fd));
            } finally {
                listener.close();
            }
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
        }
    }
}
