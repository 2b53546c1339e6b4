package org.curio.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
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
 * INCR key        → VALUE n          (a missing key counts as 0)
 * QUIT            → BYE, and the server hangs up
 * anything else   → ERROR reason
 * </pre>
 *
 * <p>Keys and values are ASCII words without spaces. A client that sends nothing for
 * {@link #IDLE_TIMEOUT} or a line longer than {@link #MAX_LINE} bytes is disconnected. A request
 * cut short by the end of the stream is ignored, not executed: the client may have been stopped in
 * the middle of sending it (the property test of this server found that case).
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

    private final Map<String, String> store = new HashMap<>();

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
        ByteStream stream = client.asStream();
        while (true) {
            Optional<byte[]> read = Timeouts.ignoreAfter(IDLE_TIMEOUT, stream::readLine);
            if (read.isEmpty() || read.get().length == 0) {
                return;                                      // idle for too long, or the client left
            }
            byte[] line = read.get();
            if (line[line.length - 1] != '\n') {
                return;                                      // the client left in the middle of a request
            }
            if (line.length > MAX_LINE) {
                stream.write(ascii("ERROR line too long\n"));
                return;
            }
            String request = new String(line, StandardCharsets.US_ASCII).strip();
            if (request.equals("QUIT")) {
                stream.write(ascii("BYE\n"));
                return;
            }
            execute(request.split(" "), stream);
        }
    }

    /**
     * Applies one request and writes the reply. Never suspends between reading and writing the store.
     *
     * @param words the request's words
     * @param out   where the reply goes
     * @throws IOException        if the reply cannot be sent
     * @throws CancelledException if the task is cancelled while sending
     */
    void execute(String[] words, ByteStream out) throws IOException, CancelledException {
        out.write(ascii(apply(words) + "\n"));
    }

    /** {@return the reply to a request, having applied it to the store} */
    final String apply(String[] words) {
        String command = words[0];
        return switch (command) {
            case "SET" -> words.length != 3 ? "ERROR usage: SET key value" : set(words[1], words[2]);
            case "GET" -> words.length != 2 ? "ERROR usage: GET key" : get(words[1]);
            case "DEL" -> words.length != 2 ? "ERROR usage: DEL key" : (store.remove(words[1]) == null ? "NONE" : "OK");
            case "INCR" -> words.length != 2 ? "ERROR usage: INCR key" : increment(words[1]);
            default -> "ERROR unknown command: " + command;
        };
    }

    private String set(String key, String value) {
        store.put(key, value);
        return "OK";
    }

    private String get(String key) {
        String value = store.get(key);
        return value == null ? "NONE" : "VALUE " + value;
    }

    private String increment(String key) {
        Optional<Long> next = incremented(key);
        if (next.isEmpty()) {
            return "ERROR not a number: " + store.get(key);
        }
        store.put(key, Long.toString(next.get()));
        return "VALUE " + next.get();
    }

    /** {@return the value of {@code key} plus one, without storing it; empty if it is not a number} */
    final Optional<Long> incremented(String key) {
        String value = store.getOrDefault(key, "0");
        try {
            return Optional.of(Long.parseLong(value) + 1);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Stores {@code value} under {@code key}, for subclasses that apply a command their own way.
     *
     * @param key   the key
     * @param value the value
     */
    final void store(String key, String value) {
        store.put(key, value);
    }

    /** {@return a copy of the store} */
    public Map<String, String> snapshot() {
        return Map.copyOf(store);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
