package org.curio.io;

import static org.curio.io.IoHarness.anyPort;
import static org.curio.io.IoHarness.bytes;
import static org.curio.io.IoHarness.seconds;
import static org.curio.io.IoHarness.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;

import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.test.Steps;
import org.curio.traps.CancelledException;
import org.curio.traps.ReadResourceBusyException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;

/**
 * Curio 1.6's {@code tests/test_io.py}, ported: streams over sockets, their partial progress under
 * timeouts and cancellation, and a busy second reader; plus {@link FileStream} over pipes.
 */
class StreamTest {
    /** The server side of a test: runs with the accepted connection, which is closed afterwards. */
    @FunctionalInterface
    interface Handler {
        void handle(Socket client) throws Exception;
    }

    /** The client side of a test: runs with the server's address. */
    @FunctionalInterface
    interface Client {
        void run(SocketAddress address) throws Exception;
    }

    /**
     * Curio's test scaffold, run by the test's task: a server that sends "OK" to its one client and
     * runs {@code handler}, and a client task; it returns when both have ended.
     */
    private static void serve(Handler handler, Client client) throws Exception {
        try (Socket server = Socket.open(Family.INET, Type.STREAM)) {
            server.bind(anyPort());
            server.listen();
            SocketAddress address = server.localAddress();
            Task<?> serverTask = Curio.spawn(() -> {
                try (Socket c = server.accept()) {
                    c.send(bytes("OK"));
                    handler.handle(c);
                }
                return null;
            });
            Task<?> clientTask = Curio.spawn(() -> {
                client.run(address);
                return null;
            });
            serverTask.join();
            clientTask.join();
        }
    }

    /** A client that connects, reads the greeting, sends {@code data} and closes. */
    private static Client sending(String data) {
        return address -> {
            try (Socket sock = connect(address)) {
                sock.send(bytes(data));
            }
        };
    }

    private static Socket connect(SocketAddress address) throws IOException, CancelledException {
        Socket sock = Socket.open(Family.INET, Type.STREAM);
        sock.connect(address);
        assertEquals("OK", text(sock.recv(8)));
        return sock;
    }

    /** readLine, then read(2), then read(1000) return exactly the line, two bytes and the rest. */
    @CurioTest
    void readPartial(Steps steps) throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            steps.record(text(s.readLine()));
            steps.record(text(s.read(2)));
            steps.record(text(s.read(1000)));
        }, sending("hello\nworld\n"));
        steps.assertEvents("hello\n", "wo", "rld\n");
    }

    /** readAll gathers everything sent in pieces until the peer closes. */
    @CurioTest
    void readAll(Steps steps) throws Exception {
        serve(client -> {
            steps.record("handler start");
            try (SocketStream s = client.asStream()) {
                steps.record(text(s.readAll()));
                steps.record("handler done");
            }
        }, address -> {
            try (Socket sock = connect(address)) {
                for (String msg : List.of("Msg1\n", "Msg2\n", "Msg3\n")) {
                    sock.send(bytes(msg));
                    Timeouts.sleep(seconds(0.1));
                }
            }
        });
        steps.assertEvents("handler start", "Msg1\nMsg2\nMsg3\n", "handler done");
    }

    /** readAll after readLine returns what the line left behind. */
    @CurioTest
    void readAllPartial(Steps steps) throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            steps.record(text(s.readLine()));
            steps.record(text(s.readAll()));
        }, sending("hello\nworld\n"));
        steps.assertEvents("hello\n", "world\n");
    }

    /** A timed-out readAll leaves what it had read in the stream's buffer (curio's bytes_read). */
    @CurioTest
    void readAllTimeout(Steps steps) throws Exception {
        serve(client -> {
            steps.record("handler start");
            SocketStream s = client.asStream();
            try {
                Timeouts.after(seconds(0.5), s::readAll);
            } catch (TaskTimeoutException e) {
                steps.record(text(s.takeBuffered()));
            }
            steps.record("handler done");
        }, address -> {
            try (Socket sock = connect(address)) {
                sock.send(bytes("Msg1\n"));
                Timeouts.sleep(seconds(1));
                sock.send(bytes("Msg2\n"));
            }
        });
        steps.assertEvents("handler start", "Msg1\n", "handler done");
    }

    /** readExactly returns exactly the requested count each time. */
    @CurioTest
    void readExactly(Steps steps) throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            for (int n = 0; n < 3; n++) {
                steps.record(text(s.readExactly(5)));
            }
        }, sending("Msg1\nMsg2\nMsg3\n"));
        steps.assertEvents("Msg1\n", "Msg2\n", "Msg3\n");
    }

    /** readExactly hitting the end of stream throws EOFException and keeps what arrived. */
    @CurioTest
    void readExactlyIncomplete(Steps steps) throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            EOFException e = assertThrows(EOFException.class, () -> s.readExactly(100));
            assertEquals("unexpected end of stream: 15 of 100 bytes arrived", e.getMessage());
            steps.record(text(s.takeBuffered()));
        }, sending("Msg1\nMsg2\nMsg3\n"));
        steps.assertEvents("Msg1\nMsg2\nMsg3\n");
    }

    /** A timed-out readExactly leaves the partial read in the buffer. */
    @CurioTest
    void readExactlyTimeout(Steps steps) throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            try {
                steps.record(text(Timeouts.after(seconds(0.5), () -> s.readExactly(10))));
            } catch (TaskTimeoutException e) {
                steps.record(text(s.takeBuffered()));
            }
            steps.record("handler done");
        }, address -> {
            try (Socket sock = connect(address)) {
                sock.send(bytes("Msg1\n"));
                Timeouts.sleep(seconds(1));
                sock.send(bytes("Msg2\n"));
            }
        });
        steps.assertEvents("Msg1\n", "handler done");
    }

    /** readLine returns one line at a time. */
    @CurioTest
    void readLine(Steps steps) throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            for (int n = 0; n < 3; n++) {
                steps.record(text(s.readLine()));
            }
            steps.record(s.readLine().length);
        }, sending("Msg1\nMsg2\nMsg3\n"));
        steps.assertEvents("Msg1\n", "Msg2\n", "Msg3\n", 0);
    }

    /** readLines returns every line once the peer closes, the last one without its newline. */
    @CurioTest
    void readLines(Steps steps) throws Exception {
        serve(client -> {
            for (byte[] line : client.asStream().readLines()) {
                steps.record(text(line));
            }
        }, sending("Msg1\nMsg2\nMsg3"));
        steps.assertEvents("Msg1\n", "Msg2\n", "Msg3");
    }

    /** A timed-out readLines leaves the lines read so far in the buffer (curio's lines_read). */
    @CurioTest
    void readLinesTimeout(Steps steps) throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            try {
                Timeouts.after(seconds(0.5), s::readLines);
            } catch (TaskTimeoutException e) {
                steps.record(text(s.takeBuffered()));
            }
        }, address -> {
            try (Socket sock = connect(address)) {
                sock.send(bytes("Msg1\nMsg2\n"));
                Timeouts.sleep(seconds(1));
                sock.send(bytes("Msg3\n"));
            }
        });
        steps.assertEvents("Msg1\nMsg2\n");
    }

    /** writeLines writes every line in order. */
    @CurioTest
    void writeLines(Steps steps) throws Exception {
        serve(client -> steps.record(text(client.asStream().readAll())), address -> {
            try (Socket sock = connect(address)) {
                SocketStream s = sock.asStream();
                s.writeLines(List.of(bytes("Msg1\n"), bytes("Msg2\n"), bytes("Msg3\n")));
                assertEquals(15, s.bytesWritten());
            }
        });
        steps.assertEvents("Msg1\nMsg2\nMsg3\n");
    }

    /** A timed-out writeLines of endless lines reports exactly the bytes the reader then receives. */
    @CurioTest
    void writeLinesTimeout(Steps steps) throws Exception {
        long[] written = new long[1];
        serve(client -> {
            Timeouts.sleep(seconds(1));
            steps.record(client.asStream().readAll().length);
        }, address -> {
            try (Socket sock = connect(address)) {
                SocketStream s = sock.asStream();
                Iterable<byte[]> endless = () -> new Iterator<>() {
                    private int n;

                    @Override
                    public boolean hasNext() {
                        return true;
                    }

                    @Override
                    public byte[] next() {
                        return bytes("Msg" + n++ + "\n");
                    }
                };
                try {
                    Timeouts.after(seconds(0.5), () -> s.writeLines(endless));
                } catch (TaskTimeoutException e) {
                    written[0] = s.bytesWritten();
                }
            }
        });
        assertTrue(written[0] > 0);
        steps.assertEvents((int) written[0]);
    }

    /** A timed-out large write reports, through the buffer position, exactly what the reader gets. */
    @CurioTest
    void writeTimeout(Steps steps) throws Exception {
        ByteBuffer msg = ByteBuffer.allocate(10_000_000);
        serve(client -> {
            Timeouts.sleep(seconds(1));
            steps.record(client.asStream().readAll().length);
        }, address -> {
            try (Socket sock = connect(address)) {
                try {
                    Timeouts.after(seconds(0.5), () -> sock.asStream().write(msg));
                } catch (TaskTimeoutException e) {
                    steps.record("timeout");
                }
            }
        });
        assertTrue(msg.position() > 0 && msg.position() < msg.capacity(), "position " + msg.position());
        steps.assertEvents("timeout", msg.position());
    }

    /** forEachLine visits each line, then returns at end of stream. */
    @CurioTest
    void iterLine(Steps steps) throws Exception {
        serve(client -> {
            steps.record("handler start");
            client.asStream().forEachLine(line -> steps.record(text(line)));
            steps.record("handler done");
        }, sending("Msg1\nMsg2\nMsg3\n"));
        steps.assertEvents("handler start", "Msg1\n", "Msg2\n", "Msg3\n", "handler done");
    }

    /** A second task trying to wait on a socket another task is reading gets ReadResourceBusy at once. */
    @CurioTest
    void doubleRecv(Steps steps) throws Exception {
        serve(client -> {
            steps.record("handler start");
            Task<?> bad = Curio.spawn(() -> {
                steps.record("bad handler");
                Timeouts.sleep(seconds(0.1));
                try {
                    client.recv(1000);
                    steps.record("why am I here?");
                } catch (ReadResourceBusyException e) {
                    steps.record("good handler");
                }
            });
            steps.record(text(client.recv(1000)));
            steps.record("handler done");
            bad.join();
        }, address -> {
            try (Socket sock = connect(address)) {
                Timeouts.sleep(seconds(1));
                sock.send(bytes("Msg"));
            }
        });
        steps.assertEvents("handler start", "bad handler", "good handler", "Msg", "handler done");
    }

    /** A cancelled sendAll's buffer position equals, exactly, what the peer receives. */
    @CurioTest
    void sendAllCancel(Steps steps) throws Exception {
        ByteBuffer data = ByteBuffer.allocate(10_000_000);
        long[] received = new long[1];
        try (Socket.Pair pair = Socket.pair()) {
            Task<?> sender = Curio.spawn(() -> {
                try {
                    pair.first().sendAll(data);
                } catch (TaskCancelledException e) {
                    steps.record("cancelled");
                }
                pair.first().close();
            });
            Timeouts.sleep(seconds(0.1));
            sender.cancel();
            while (true) {
                byte[] chunk = pair.second().recv(1_000_000);
                if (chunk.length == 0) {
                    break;
                }
                received[0] += chunk.length;
            }
        }
        steps.assertEvents("cancelled");
        assertTrue(data.position() > 0 && data.position() < data.capacity());
        assertEquals(data.position(), received[0]);
    }

    /** A pipe's FileStream ends read lines, exact reads and end of stream like a socket stream. */
    @CurioTest
    void pipeStream(Steps steps) throws Exception {
        try (FileStream.Pipe pipe = FileStream.pipe()) {
            Task<?> writer = Curio.spawn(() -> {
                pipe.sink().write(bytes("line one\nline two\n"));
                Timeouts.sleep(seconds(0.5));
                pipe.sink().writeLines(List.of(bytes("abc"), bytes("defg\n")));
                pipe.sink().close();
            });
            FileStream in = pipe.source();
            steps.record(text(in.readLine()));
            steps.record(text(in.readExactly(4)));
            steps.record(text(in.readLine()));
            steps.record(text(in.readAll()));
            steps.record(in.read().length);
            writer.join();
        }
        steps.assertEvents("line one\n", "line", " two\n", "abcdefg\n", 0);
    }

    /** A big write into a pipe blocks until the reader drains it; everything arrives in order. */
    @CurioTest
    void pipeBackpressure() throws Exception {
        byte[] data = new byte[1 << 22];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        try (FileStream.Pipe pipe = FileStream.pipe()) {
            Task<?> writer = Curio.spawn(() -> {
                pipe.sink().write(data);
                pipe.sink().close();
            });
            assertArrayEquals(data, pipe.source().readAll());
            writer.join();
            assertEquals(data.length, pipe.sink().bytesWritten());
        }
    }

    /** Writing to a pipe whose reader has closed fails with a broken-pipe error, not a signal. */
    @CurioTest
    void pipeBrokenOnWrite() throws Exception {
        try (FileStream.Pipe pipe = FileStream.pipe()) {
            pipe.source().close();
            IOException e = assertThrows(IOException.class, () -> pipe.sink().write(bytes("x")));
            assertTrue(e.getMessage().startsWith("broken pipe"), e.getMessage());
            assertThrows(IOException.class, () -> pipe.source().read());
        }
    }

    /** An adopted descriptor (here a pipe end detached from a socket pair) works as a FileStream. */
    @CurioTest
    void adoptedDescriptor() throws Exception {
        Socket.Pair pair = Socket.pair();
        try (FileStream a = FileStream.open(pair.first().detach());
             FileStream b = FileStream.open(pair.second().detach())) {
            a.write(bytes("hello\n"));
            assertEquals("hello\n", text(b.readLine()));
            assertTrue(a.fd() >= 0);
        }
    }
}
