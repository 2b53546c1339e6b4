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
import org.curio.traps.CancelledException;
import org.curio.traps.ReadResourceBusyException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Curio 1.6's {@code tests/test_io.py}, ported: streams over sockets, their partial progress under
 * timeouts and cancellation, and a busy second reader; plus {@link FileStream} over pipes.
 */
class StreamTest {
    private final IoHarness.Events events = new IoHarness.Events();

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
     * Curio's test scaffold: a server that sends "OK" to its one client and runs {@code handler},
     * and a client task; the test ends when both have.
     */
    private static void serve(Handler handler, Client client) throws Exception {
        IoHarness.runVoid(() -> {
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
        });
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
    @Test
    void readPartial() throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            events.add(text(s.readLine()));
            events.add(text(s.read(2)));
            events.add(text(s.read(1000)));
        }, sending("hello\nworld\n"));
        events.assertEquals("hello\n", "wo", "rld\n");
    }

    /** readAll gathers everything sent in pieces until the peer closes. */
    @Test
    void readAll() throws Exception {
        serve(client -> {
            events.add("handler start");
            try (SocketStream s = client.asStream()) {
                events.add(text(s.readAll()));
                events.add("handler done");
            }
        }, address -> {
            try (Socket sock = connect(address)) {
                for (String msg : List.of("Msg1\n", "Msg2\n", "Msg3\n")) {
                    sock.send(bytes(msg));
                    Timeouts.sleep(seconds(0.1));
                }
            }
        });
        events.assertEquals("handler start", "Msg1\nMsg2\nMsg3\n", "handler done");
    }

    /** readAll after readLine returns what the line left behind. */
    @Test
    void readAllPartial() throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            events.add(text(s.readLine()));
            events.add(text(s.readAll()));
        }, sending("hello\nworld\n"));
        events.assertEquals("hello\n", "world\n");
    }

    /** A timed-out readAll leaves what it had read in the stream's buffer (curio's bytes_read). */
    @Test
    void readAllTimeout() throws Exception {
        serve(client -> {
            events.add("handler start");
            SocketStream s = client.asStream();
            try {
                Timeouts.after(seconds(0.5), s::readAll);
            } catch (TaskTimeoutException e) {
                events.add(text(s.takeBuffered()));
            }
            events.add("handler done");
        }, address -> {
            try (Socket sock = connect(address)) {
                sock.send(bytes("Msg1\n"));
                Timeouts.sleep(seconds(1));
                sock.send(bytes("Msg2\n"));
            }
        });
        events.assertEquals("handler start", "Msg1\n", "handler done");
    }

    /** readExactly returns exactly the requested count each time. */
    @Test
    void readExactly() throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            for (int n = 0; n < 3; n++) {
                events.add(text(s.readExactly(5)));
            }
        }, sending("Msg1\nMsg2\nMsg3\n"));
        events.assertEquals("Msg1\n", "Msg2\n", "Msg3\n");
    }

    /** readExactly hitting the end of stream throws EOFException and keeps what arrived. */
    @Test
    void readExactlyIncomplete() throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            EOFException e = assertThrows(EOFException.class, () -> s.readExactly(100));
            assertEquals("unexpected end of stream: 15 of 100 bytes arrived", e.getMessage());
            events.add(text(s.takeBuffered()));
        }, sending("Msg1\nMsg2\nMsg3\n"));
        events.assertEquals("Msg1\nMsg2\nMsg3\n");
    }

    /** A timed-out readExactly leaves the partial read in the buffer. */
    @Test
    void readExactlyTimeout() throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            try {
                events.add(text(Timeouts.after(seconds(0.5), () -> s.readExactly(10))));
            } catch (TaskTimeoutException e) {
                events.add(text(s.takeBuffered()));
            }
            events.add("handler done");
        }, address -> {
            try (Socket sock = connect(address)) {
                sock.send(bytes("Msg1\n"));
                Timeouts.sleep(seconds(1));
                sock.send(bytes("Msg2\n"));
            }
        });
        events.assertEquals("Msg1\n", "handler done");
    }

    /** readLine returns one line at a time. */
    @Test
    void readLine() throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            for (int n = 0; n < 3; n++) {
                events.add(text(s.readLine()));
            }
            events.add(s.readLine().length);
        }, sending("Msg1\nMsg2\nMsg3\n"));
        events.assertEquals("Msg1\n", "Msg2\n", "Msg3\n", 0);
    }

    /** readLines returns every line once the peer closes, the last one without its newline. */
    @Test
    void readLines() throws Exception {
        serve(client -> {
            for (byte[] line : client.asStream().readLines()) {
                events.add(text(line));
            }
        }, sending("Msg1\nMsg2\nMsg3"));
        events.assertEquals("Msg1\n", "Msg2\n", "Msg3");
    }

    /** A timed-out readLines leaves the lines read so far in the buffer (curio's lines_read). */
    @Test
    void readLinesTimeout() throws Exception {
        serve(client -> {
            SocketStream s = client.asStream();
            try {
                Timeouts.after(seconds(0.5), s::readLines);
            } catch (TaskTimeoutException e) {
                events.add(text(s.takeBuffered()));
            }
        }, address -> {
            try (Socket sock = connect(address)) {
                sock.send(bytes("Msg1\nMsg2\n"));
                Timeouts.sleep(seconds(1));
                sock.send(bytes("Msg3\n"));
            }
        });
        events.assertEquals("Msg1\nMsg2\n");
    }

    /** writeLines writes every line in order. */
    @Test
    void writeLines() throws Exception {
        serve(client -> events.add(text(client.asStream().readAll())), address -> {
            try (Socket sock = connect(address)) {
                SocketStream s = sock.asStream();
                s.writeLines(List.of(bytes("Msg1\n"), bytes("Msg2\n"), bytes("Msg3\n")));
                assertEquals(15, s.bytesWritten());
            }
        });
        events.assertEquals("Msg1\nMsg2\nMsg3\n");
    }

    /** A timed-out writeLines of endless lines reports exactly the bytes the reader then receives. */
    @Test
    void writeLinesTimeout() throws Exception {
        long[] written = new long[1];
        serve(client -> {
            Timeouts.sleep(seconds(1));
            events.add(client.asStream().readAll().length);
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
        events.assertEquals((int) written[0]);
    }

    /** A timed-out large write reports, through the buffer position, exactly what the reader gets. */
    @Test
    void writeTimeout() throws Exception {
        ByteBuffer msg = ByteBuffer.allocate(10_000_000);
        serve(client -> {
            Timeouts.sleep(seconds(1));
            events.add(client.asStream().readAll().length);
        }, address -> {
            try (Socket sock = connect(address)) {
                try {
                    Timeouts.after(seconds(0.5), () -> sock.asStream().write(msg));
                } catch (TaskTimeoutException e) {
                    events.add("timeout");
                }
            }
        });
        assertTrue(msg.position() > 0 && msg.position() < msg.capacity(), "position " + msg.position());
        events.assertEquals("timeout", msg.position());
    }

    /** forEachLine visits each line, then returns at end of stream. */
    @Test
    void iterLine() throws Exception {
        serve(client -> {
            events.add("handler start");
            client.asStream().forEachLine(line -> events.add(text(line)));
            events.add("handler done");
        }, sending("Msg1\nMsg2\nMsg3\n"));
        events.assertEquals("handler start", "Msg1\n", "Msg2\n", "Msg3\n", "handler done");
    }

    /** A second task trying to wait on a socket another task is reading gets ReadResourceBusy at once. */
    @Test
    void doubleRecv() throws Exception {
        serve(client -> {
            events.add("handler start");
            Task<?> bad = Curio.spawn(() -> {
                events.add("bad handler");
                Timeouts.sleep(seconds(0.1));
                try {
                    client.recv(1000);
                    events.add("why am I here?");
                } catch (ReadResourceBusyException e) {
                    events.add("good handler");
                }
            });
            events.add(text(client.recv(1000)));
            events.add("handler done");
            bad.join();
        }, address -> {
            try (Socket sock = connect(address)) {
                Timeouts.sleep(seconds(1));
                sock.send(bytes("Msg"));
            }
        });
        events.assertEquals("handler start", "bad handler", "good handler", "Msg", "handler done");
    }

    /** A cancelled sendAll's buffer position equals, exactly, what the peer receives. */
    @Test
    void sendAllCancel() throws Exception {
        ByteBuffer data = ByteBuffer.allocate(10_000_000);
        long[] received = new long[1];
        IoHarness.runVoid(() -> {
            try (Socket.Pair pair = Socket.pair()) {
                Task<?> sender = Curio.spawn(() -> {
                    try {
                        pair.first().sendAll(data);
                    } catch (TaskCancelledException e) {
                        events.add("cancelled");
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
        });
        events.assertEquals("cancelled");
        assertTrue(data.position() > 0 && data.position() < data.capacity());
        assertEquals(data.position(), received[0]);
    }

    /** A pipe's FileStream ends read lines, exact reads and end of stream like a socket stream. */
    @Test
    void pipeStream() throws Exception {
        IoHarness.runVoid(() -> {
            try (FileStream.Pipe pipe = FileStream.pipe()) {
                Task<?> writer = Curio.spawn(() -> {
                    pipe.sink().write(bytes("line one\nline two\n"));
                    Timeouts.sleep(seconds(0.5));
                    pipe.sink().writeLines(List.of(bytes("abc"), bytes("defg\n")));
                    pipe.sink().close();
                });
                FileStream in = pipe.source();
                events.add(text(in.readLine()));
                events.add(text(in.readExactly(4)));
                events.add(text(in.readLine()));
                events.add(text(in.readAll()));
                events.add(in.read().length);
                writer.join();
            }
        });
        events.assertEquals("line one\n", "line", " two\n", "abcdefg\n", 0);
    }

    /** A big write into a pipe blocks until the reader drains it; everything arrives in order. */
    @Test
    void pipeBackpressure() throws Exception {
        byte[] data = new byte[1 << 22];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        IoHarness.runVoid(() -> {
            try (FileStream.Pipe pipe = FileStream.pipe()) {
                Task<?> writer = Curio.spawn(() -> {
                    pipe.sink().write(data);
                    pipe.sink().close();
                });
                assertArrayEquals(data, pipe.source().readAll());
                writer.join();
                assertEquals(data.length, pipe.sink().bytesWritten());
            }
        });
    }

    /** Writing to a pipe whose reader has closed fails with a broken-pipe error, not a signal. */
    @Test
    void pipeBrokenOnWrite() throws Exception {
        IoHarness.runVoid(() -> {
            try (FileStream.Pipe pipe = FileStream.pipe()) {
                pipe.source().close();
                IOException e = assertThrows(IOException.class, () -> pipe.sink().write(bytes("x")));
                assertTrue(e.getMessage().startsWith("broken pipe"), e.getMessage());
                assertThrows(IOException.class, () -> pipe.source().read());
            }
        });
    }

    /** An adopted descriptor (here a pipe end detached from a socket pair) works as a FileStream. */
    @Test
    void adoptedDescriptor() throws Exception {
        IoHarness.runVoid(() -> {
            Socket.Pair pair = Socket.pair();
            try (FileStream a = FileStream.open(pair.first().detach());
                 FileStream b = FileStream.open(pair.second().detach())) {
                a.write(bytes("hello\n"));
                assertEquals("hello\n", text(b.readLine()));
                assertTrue(a.fd() >= 0);
            }
        });
    }
}
