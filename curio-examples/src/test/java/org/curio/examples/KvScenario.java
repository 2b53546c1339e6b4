package org.curio.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.curio.io.ByteStream;
import org.curio.io.Listener;
import org.curio.io.testing.Link;
import org.curio.io.testing.MemoryConnection;
import org.curio.io.testing.MemoryNetwork;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.ssl.Tls;
import org.curio.ssl.TlsConnection;
import org.curio.ssl.TlsSettings;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.jspecify.annotations.Nullable;

/**
 * One randomly drawn run of the key-value server on an in-memory network: clients with scripts of
 * commands, faults injected into their connections at chosen instants, and the checks that must hold
 * whatever happened. Each client has keys of its own (so every reply can be predicted) and all share
 * one counter incremented with {@code INCR} (so lost updates show).
 *
 * @param clients each client's commands
 * @param faults  what goes wrong, and when
 * @param options the network's buffer size, chunking and delay
 */
record KvScenario(List<List<Command>> clients, List<Fault> faults, MemoryNetwork.Options options) {
    /** The key every client increments. */
    static final String COUNTER = "hits";

    /** A command a client sends. */
    sealed interface Command {
        /** {@return the request line} */
        String line(int client);
    }

    /** {@code SET} one of the client's own keys. */
    record Set(int key, int value) implements Command {
        @Override
        public String line(int client) {
            return "SET c" + client + "k" + key + " v" + value;
        }
    }

    /** {@code GET} one of the client's own keys. */
    record Get(int key) implements Command {
        @Override
        public String line(int client) {
            return "GET c" + client + "k" + key;
        }
    }

    /** {@code DEL} one of the client's own keys. */
    record Del(int key) implements Command {
        @Override
        public String line(int client) {
            return "DEL c" + client + "k" + key;
        }
    }

    /** {@code INCR} the shared counter. */
    record Incr() implements Command {
        @Override
        public String line(int client) {
            return "INCR " + COUNTER;
        }
    }

    /** The kinds of fault. */
    enum FaultKind {
        /** The connection is reset. */
        RESET,
        /** Nothing flows for 50 ms. */
        STALL,
        /** The network ends the stream towards the server, as if the client had shut down output. */
        END_OF_STREAM,
        /** The client's task is cancelled. */
        CANCEL
    }

    /**
     * A fault.
     *
     * @param client   which client it hits, modulo the number of clients
     * @param atMillis when, on the kernel clock
     * @param kind     what happens
     */
    record Fault(int client, int atMillis, FaultKind kind) {}

    /** What a client saw: its replies, and whether its connection was cut. */
    private static final class ClientState {
        final Map<String, String> model = new HashMap<>();
        int incrementsAcknowledged;
        boolean incrementInFlight;
        boolean cut;
        @Nullable MemoryConnection connection;
        @Nullable Task<?> task;
    }

    /**
     * Runs the scenario against {@code server} as the current task's work, and checks it.
     *
     * @param server a fresh server
     * @throws AssertionError if a check fails
     * @throws Exception      if the scenario cannot run
     */
    void run(KvServer server) throws Exception {
        run(server, null);
    }

    /** TLS settings of both ends, for a scenario run over TLS on the in-memory network. */
    record Tls2(TlsSettings server, TlsSettings client) {}

    /**
     * Runs the scenario as {@link #run(KvServer)} does, with every connection (the clients' and the
     * server's) over TLS when {@code tls} is given; faults hit the memory connections under TLS.
     */
    void run(KvServer server, @Nullable Tls2 tls) throws Exception {
        MemoryNetwork network = MemoryNetwork.create(options);
        List<ClientState> states = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            states.add(new ClientState());
        }
        try (TaskGroup<Object> serverGroup = TaskGroup.open()) {
            Listener<MemoryConnection> listener = network.listen("kv");
            serverGroup.spawn(() -> {
                if (tls == null) {
                    server.serve(listener);
                } else {
                    server.serve(Tls.listener(listener, tls.server()));
                }
                return null;
            });
            List<Task<?>> tasks = new ArrayList<>();
            try (TaskGroup<Object> clientGroup = TaskGroup.open()) {
                for (int i = 0; i < clients.size(); i++) {
                    int id = i;
                    ClientState state = states.get(i);
                    state.task = clientGroup.spawn(() -> client(network, id, state, tls));
                    tasks.add(state.task);
                }
                tasks.add(clientGroup.spawn(() -> chaos(states)));
                clientGroup.join();
            }
            for (Task<?> t : tasks) {
                Throwable failure = t.exception().orElse(null);
                if (failure instanceof AssertionError e) {
                    throw e;
                }
                if (failure != null && !(failure instanceof CancelledException)) {
                    throw new AssertionError(t.name() + " failed: " + failure, failure);
                }
            }
            checkStore(server.snapshot(), states);
            checkServerStillServes(network, tls);
            serverGroup.cancelRemaining();
        }
        network.close();
    }

    private @Nullable Void client(MemoryNetwork network, int id, ClientState state, @Nullable Tls2 tls)
            throws Exception {
        try (MemoryConnection connection = network.connect("kv");
             org.curio.io.Connection over = secure(connection, tls)) {
            state.connection = connection;
            ByteStream stream = over.asStream();
            for (Command command : clients.get(id)) {
                state.incrementInFlight = command instanceof Incr;  // from the first byte that may go
                stream.write((command.line(id) + "\n").getBytes(StandardCharsets.US_ASCII));
                byte[] reply = stream.readLine();
                if (reply.length == 0) {
                    throw new IOException("server hung up");
                }
                state.incrementInFlight = false;
                check(id, state, command, new String(reply, StandardCharsets.US_ASCII).strip());
            }
        } catch (IOException e) {
            if (!hit(id)) {
                throw new AssertionError("client " + id + " lost its connection with no fault injected: " + e, e);
            }
            state.cut = true;
        } catch (CancelledException e) {
            state.cut = true;                                // a CANCEL fault
            throw e;
        }
        return null;
    }

    private void check(int id, ClientState state, Command command, String reply) {
        String expected = switch (command) {
            case Set(int key, int value) -> {
                state.model.put("c" + id + "k" + key, "v" + value);
                yield "OK";
            }
            case Get(int key) -> {
                String v = state.model.get("c" + id + "k" + key);
                yield v == null ? "NONE" : "VALUE " + v;
            }
            case Del(int key) -> state.model.remove("c" + id + "k" + key) == null ? "NONE" : "OK";
            case Incr() -> {
                state.incrementsAcknowledged++;
                yield reply.startsWith("VALUE ") ? reply : "VALUE <n>";
            }
        };
        if (!expected.equals(reply)) {
            throw new AssertionError("client " + id + " sent " + command.line(id) + ": expected " + expected
                    + " but got " + reply);
        }
    }

    private boolean hit(int client) {
        return faults.stream().anyMatch(f -> f.client() % clients.size() == client);
    }

    /** Injects the faults in order of time. */
    private @Nullable Void chaos(List<ClientState> states) throws Exception {
        List<Fault> ordered = new ArrayList<>(faults);
        ordered.sort((a, b) -> Integer.compare(a.atMillis(), b.atMillis()));
        long start = Timeouts.clock();
        for (Fault f : ordered) {
            Timeouts.sleep(Duration.ofNanos(Math.max(0, start + Duration.ofMillis(f.atMillis()).toNanos()
                    - Timeouts.clock())));
            ClientState state = states.get(f.client() % states.size());
            MemoryConnection c = state.connection;
            switch (f.kind()) {
                case RESET -> {
                    if (c != null) {
                        c.link().reset();
                    }
                }
                case STALL -> {
                    if (c != null) {
                        Link link = c.link();
                        link.stall();
                        Timeouts.sleep(Duration.ofMillis(50));
                        link.resume();
                    }
                }
                case END_OF_STREAM -> {
                    if (c != null && c.isOpen()) {
                        c.link().endOfStream(c.link().left() == c ? c.link().right() : c.link().left());
                    }
                }
                case CANCEL -> {
                    Task<?> t = state.task;
                    if (t != null) {
                        t.cancel();
                    }
                }
            }
            Curio.schedule();
        }
        return null;
    }

    /** Each client's own keys hold what it last wrote; the counter counts every acknowledged INCR. */
    private void checkStore(Map<String, String> store, List<ClientState> states) {
        int acknowledged = 0;
        int inFlight = 0;
        for (int id = 0; id < states.size(); id++) {
            ClientState s = states.get(id);
            acknowledged += s.incrementsAcknowledged;
            inFlight += s.cut && s.incrementInFlight ? 1 : 0;
            if (!s.cut) {
                for (int key = 0; key < 3; key++) {
                    String k = "c" + id + "k" + key;
                    if (!java.util.Objects.equals(s.model.get(k), store.get(k))) {
                        throw new AssertionError("key " + k + " holds " + store.get(k) + ", client " + id
                                + " last wrote " + s.model.get(k));
                    }
                }
            }
        }
        long counter = Long.parseLong(store.getOrDefault(COUNTER, "0"));
        if (counter < acknowledged || counter > acknowledged + inFlight) {
            throw new AssertionError("counter is " + counter + " after " + acknowledged + " acknowledged INCRs"
                    + (inFlight == 0 ? "" : " and " + inFlight + " cut short"));
        }
    }

    /** Whatever happened to the others, a new client is served. */
    private static org.curio.io.Connection secure(MemoryConnection connection, @Nullable Tls2 tls) {
        return tls == null ? connection : TlsConnection.client(connection, tls.client());
    }

    private static void checkServerStillServes(MemoryNetwork network, @Nullable Tls2 tls) throws Exception {
        try (MemoryConnection raw = network.connect("kv"); org.curio.io.Connection c = secure(raw, tls)) {
            ByteStream stream = c.asStream();
            StringBuilder replies = new StringBuilder();
            for (String request : List.of("GET nothing\n", "QUIT\n")) {
                // One request at a time: with buffers smaller than a reply, a client that sends its next
                // request before reading the last reply deadlocks with the server (both wait to send).
                stream.write(request.getBytes(StandardCharsets.US_ASCII));
                replies.append(new String(stream.readLine(), StandardCharsets.US_ASCII));
            }
            replies.append(new String(stream.readAll(), StandardCharsets.US_ASCII));
            if (!replies.toString().equals("NONE\nBYE\n")) {
                throw new AssertionError("a fresh client got " + replies);
            }
        }
    }
}
