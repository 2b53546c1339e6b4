package org.curio.examples;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.io.Listener;
import org.curio.io.Network;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.sync.Queue;
import org.curio.traps.CancelledException;

/**
 * A chat server, as curio's {@code examples/chat.py}: every line a client types goes to every
 * client. Each connection runs two tasks in a group that ends when either does: one copies the
 * client's lines to a shared queue, the other writes out what a dispatcher task fans out to it.
 * Runs until killed; try it with {@code nc localhost 25000}.
 *
 * <p><b>Bounded memory.</b> Unlike curio's example, a member who never reads cannot fill the heap.
 * Each member has a queue of at most {@link #MAX_PENDING} lines. When a member's queue is full, the
 * dispatcher waits up to {@link #SLOW_MEMBER_TIMEOUT} for room (a member who reads, only more slowly
 * than others type, slows the chat down to their pace), then <em>disconnects</em> the member, rather
 * than dropping lines that the member would silently miss; the others then go on chatting. The shared queue
 * is bounded too: when it is full, the members who type wait, and their connections stop being read.
 * A line longer than {@link #MAX_LINE} bytes also ends its member's connection, before more of it is
 * read.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.ChatServer 25000
 * </pre>
 */
public final class ChatServer {
    /** The most lines waiting to be sent to one member; a member further behind is disconnected. */
    static final int MAX_PENDING = 256;
    /** The longest line a member may type, newline included. */
    static final int MAX_LINE = 4096;
    /** How long the dispatcher waits for a member whose queue is full before disconnecting them. */
    static final Duration SLOW_MEMBER_TIMEOUT = Duration.ofSeconds(5);
    private static final System.Logger LOG = System.getLogger("org.curio.examples.ChatServer");

    /** One chat line. */
    private record Message(String name, byte[] text) {}

    /** A member: the lines waiting for them, and their connection. */
    private record Member(Queue<Message> queue, ByteStream stream) {}

    private final Queue<Message> messages = new Queue<>(MAX_PENDING);
    private final Set<Member> members = new LinkedHashSet<>();

    ChatServer() {}

    /**
     * Runs the chat server.
     *
     * @param args the port (default 25000), then the address to bind (default 127.0.0.1)
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 25000;
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        ChatServer chat = new ChatServer();
        System.out.println("Chat server on " + host + ":" + port);
        Curio.run(() -> chat.serve(Network.tcpServerSocket(host, port)));
    }

    /** Serves the chat to the clients of {@code listener} until cancelled. */
    <C extends Connection> void serve(Listener<C> listener) throws IOException, CancelledException {
        TaskGroup.run(TaskGroup.Wait.ALL, group -> {
            group.spawn(this::dispatcher);
            group.spawn(() -> Network.serve(listener, this::handler));
        });
    }

    /** {@return how many lines wait in the members' queues in all} */
    int queued() {
        return members.stream().mapToInt(m -> m.queue().size()).sum();
    }

    /** {@return how many members are connected} */
    int memberCount() {
        return members.size();
    }

    private void dispatcher() throws CancelledException {
        while (true) {
            Message m = messages.get();
            for (Member member : List.copyOf(members)) {
                if (!members.contains(member) || member.queue().tryPut(m)) {
                    continue;
                }
                // Discussion: queueing without bound would fill the heap, and waiting for ever would let
                // one silent member stall everyone. Wait a while, so that a member who reads, only more
                // slowly than someone types, keeps up; then disconnect. Closing the stream wakes both
                // of the member's tasks.
                if (Timeouts.ignoreAfter(SLOW_MEMBER_TIMEOUT, () -> put(member, m)).isEmpty()) {
                    members.remove(member);
                    LOG.log(System.Logger.Level.INFO, "disconnecting a member {0} lines behind", MAX_PENDING);
                    member.stream().close();
                }
            }
        }
    }

    private static boolean put(Member member, Message m) throws CancelledException {
        member.queue().put(m);
        return true;
    }

    private void publish(String name, String text, SocketAddress from) throws CancelledException {
        publish(new Message(name, text.getBytes(StandardCharsets.UTF_8)), from);
    }

    private void publish(Message m, SocketAddress from) throws CancelledException {
        LOG.log(System.Logger.Level.DEBUG, () -> from + " published "
                + new String(m.text(), StandardCharsets.UTF_8).strip());
        messages.put(m);
    }

    private void outgoing(ByteStream stream) throws CancelledException {
        Member me = new Member(new Queue<>(MAX_PENDING), stream);
        members.add(me);
        try {
            while (true) {
                Message m = me.queue().get();
                stream.write((m.name() + ":").getBytes(StandardCharsets.UTF_8));
                stream.write(m.text());
            }
        } catch (IOException e) {
            // the member left, or was disconnected for falling behind
        } finally {
            members.remove(me);
        }
    }

    private void incoming(ByteStream stream, String name, SocketAddress from) throws CancelledException {
        try {
            stream.forEachLine(line -> publish(new Message(name, line), from));
        } catch (IOException e) {
            // the member left, was disconnected, or typed a line longer than MAX_LINE
        }
    }

    private void handler(Connection client, SocketAddress address) throws IOException, CancelledException {
        LOG.log(System.Logger.Level.INFO, "connection from {0}", address);
        ByteStream stream = client.asStream().setLineLimit(MAX_LINE);
        stream.write("Your name: ".getBytes(StandardCharsets.UTF_8));
        String name = new String(stream.readLine(), StandardCharsets.UTF_8).strip();
        publish(name, "joined\n", address);
        TaskGroup.run(TaskGroup.Wait.ANY, workers -> {
            workers.spawn(() -> outgoing(stream));
            workers.spawn(() -> incoming(stream, name, address));
        });
        publish(name, "has gone away\n", address);
        LOG.log(System.Logger.Level.INFO, "{0} connection closed", address);
    }
}
