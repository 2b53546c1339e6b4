package org.curio.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.io.LimitExceededException;
import org.curio.io.Listener;
import org.curio.io.Network;
import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;

/**
 * A key-value server speaking a line protocol, written against {@link Connection} and
 * {@link Listener}, so the same code serves TCP clients and, in its test suite, clients on an
 * in-memory network with faults.
 *
 * <pre>
 * SET key value   → OK
 * GET key         → VALUE value | NONE
 * DEL key         → OK | NONE
 * INCR key        → VALUE n          (a missing key counts as 0; past Long.MAX_VALUE an error)
 * QUIT            → BYE, and the server hangs up
 * anything else   → ERROR reason
 * </pre>
 *
 * <p>Keys and values are bytes: any bytes but space, carriage return and newline, stored and
 * compared as they came, never decoded as text (two different invalid UTF-8 sequences are two keys).
 * A client that sends nothing for {@link #IDLE_TIMEOUT} is disconnected; so is one whose line grows
 * past {@link #MAX_LINE} bytes, as soon as it does: the stream's line limit stops reading there, so
 * a client cannot make the server buffer more. A request cut short by the end of the stream is
 * ignored, not executed: the client may have been stopped in the middle of sending it (the property
 * test of this server found that case).
 *
 * <p>The store is a plain {@code HashMap} shared by every client's task: tasks switch only at
 * traps, and a command is applied with no trap between reading the store and writing it, so each
 * command is atomic without a lock.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.KvServer 25000
 * </pre>
 */
public class KvServer {
    /** The longest request line accepted, newline included. */
    public static final int MAX_LINE = 1024;
    /** How long a client may stay silent. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final Map<Key, byte[]> store = new HashMap<>();

    /** A key: bytes, equal to another key with the same bytes. */
    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return latin1(bytes);
        }
    }

    /** Creates a server with an empty store. */
    public KvServer() {}

    /**
     * Serves the store on {@code port} of 127.0.0.1 until killed.
     *
     * @param args the port (default 25000)
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 25000;
        System.out.println("Key-value server on 127.0.0.1:" + port);
        KvServer server = new KvServer();
        Curio.run(() -> server.serve(Network.tcpServerSocket("127.0.0.1", port)));
    }

    /**
     * Suspends the calling task while it serves every client that {@code listener} accepts, each in a
     * task of its own, until cancelled; closes the listener at the end.
     *
     * @param listener where clients come from
     * @param <C>      the kind of connection
     * @throws IOException        if accepting fails for good
     * @throws CancelledException when the server is cancelled (its clients have ended by then)
     */
    public <C extends Connection> void serve(Listener<C> listener) throws IOException, CancelledException {
        Network.serve(listener, (client, address) -> handle(client));
    }

    /**
     * Suspends the calling task while it answers one client's requests, until the client quits, hangs
     * up, stays idle too long or sends a line that is too long.
     *
     * @param client the client
     * @throws IOException        if the connection fails
     * @throws CancelledException if the task is cancelled
     */
    public void handle(Connection client) throws IOException, CancelledException {
        ByteStream stream = client.asStream().setLineLimit(MAX_LINE);
        while (true) {
            Optional<byte[]> read;
            try {
                read = Timeouts.ignoreAfter(IDLE_TIMEOUT, stream::readLine);
            } catch (LimitExceededException e) {
                stream.write(ascii("ERROR line too long\n"));   // nothing past the limit was read
                return;
            }
            if (read.isEmpty() || read.get().length == 0) {
                return;                                      // idle for too long, or the client left
            }
            byte[] line = read.get();
            if (line[line.length - 1] != '\n') {
                return;                                      // the client left in the middle of a request
            }
            byte[][] words = words(line);
            if (words.length == 1 && latin1(words[0]).equals("QUIT")) {
                stream.write(ascii("BYE\n"));
                return;
            }
            execute(words, stream);
        }
    }

    /** {@return the request's words: the line without its end and surrounding blanks, split at each space} */
    static byte[][] words(byte[] line) {
        int from = 0;
        int to = line.length;
        while (to > from && (line[to - 1] & 0xff) <= ' ') {
            to--;
        }
        while (from < to && (line[from] & 0xff) <= ' ') {
            from++;
        }
        List<byte[]> words = new ArrayList<>();
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i == to || line[i] == ' ') {
                words.add(Arrays.copyOfRange(line, start, i));
                start = i + 1;
            }
        }
        return words.toArray(byte[][]::new);
    }

    /**
     * Applies one request and writes the reply. Never suspends between reading and writing the store.
     *
     * @param words the request's words
     * @param out   where the reply goes
     * @throws IOException        if the reply cannot be sent
     * @throws CancelledException if the task is cancelled while sending
     */
    void execute(byte[][] words, ByteStream out) throws IOException, CancelledException {
        out.write(apply(words));
    }

    /** {@return the reply line to a request, having applied it to the store} */
    final byte[] apply(byte[][] words) {
        String command = latin1(words[0]);
        return switch (command) {
            case "SET" -> words.length != 3 ? reply("ERROR usage: SET key value") : set(words[1], words[2]);
            case "GET" -> words.length != 2 ? reply("ERROR usage: GET key") : get(words[1]);
            case "DEL" -> words.length != 2 ? reply("ERROR usage: DEL key")
                    : reply(store.remove(new Key(words[1])) == null ? "NONE" : "OK");
            case "INCR" -> words.length != 2 ? reply("ERROR usage: INCR key") : increment(words[1]);
            default -> reply("ERROR unknown command: ", words[0]);
        };
    }

    private byte[] set(byte[] key, byte[] value) {
        store.put(new Key(key), value);
        return reply("OK");
    }

    private byte[] get(byte[] key) {
        byte[] value = store.get(new Key(key));
        return value == null ? reply("NONE") : reply("VALUE ", value);
    }

    private byte[] increment(byte[] key) {
        Optional<Long> next;
        try {
            next = incremented(key);
        } catch (ArithmeticException e) {
            return reply("ERROR increment overflows: ", store.get(new Key(key)));
        }
        if (next.isEmpty()) {
            return reply("ERROR not a number: ", store.get(new Key(key)));
        }
        store.put(new Key(key), ascii(Long.toString(next.get())));
        return reply("VALUE " + next.get());
    }

    /**
     * {@return the value of {@code key} plus one, without storing it; empty if it is not a number}
     *
     * @throws ArithmeticException if the value is {@link Long#MAX_VALUE}
     */
    final Optional<Long> incremented(byte[] key) {
        byte[] value = store.get(new Key(key));
        if (value == null) {
            return Optional.of(1L);
        }
        long n;
        try {
            n = Long.parseLong(latin1(value));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(Math.addExact(n, 1L));
    }

    /**
     * Stores {@code value} under {@code key}, for subclasses that apply a command their own way.
     *
     * @param key   the key
     * @param value the value
     */
    final void store(byte[] key, byte[] value) {
        store.put(new Key(key), value);
    }

    /**
     * {@return a copy of the store, each key and value turned into a string one character per byte
     * (ISO-8859-1), so that distinct bytes stay distinct}
     */
    public Map<String, String> snapshot() {
        Map<String, String> copy = new HashMap<>();
        store.forEach((k, v) -> copy.put(latin1(k.bytes()), latin1(v)));
        return Map.copyOf(copy);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@return {@code bytes} as a string of one character per byte: lossless, and ASCII reads as itself} */
    static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static byte[] reply(String line) {
        return ascii(line + "\n");
    }

    private static byte[] reply(String head, byte[] tail) {
        byte[] h = ascii(head);
        byte[] out = Arrays.copyOf(h, h.length + tail.length + 1);
        System.arraycopy(tail, 0, out, h.length, tail.length);
        out[out.length - 1] = '\n';
        return out;
    }
}
