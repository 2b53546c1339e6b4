package org.curio.examples;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.io.SocketStream;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.sync.Queue;
import org.curio.traps.CancelledException;

/**
 * A chat server, as curio's {@code examples/chat.py}: every line a client types goes to every
 * client. Each connection runs two tasks in a group that ends when either does: one copies the
 * client's lines to a shared queue, the other writes out what a dispatcher task fans out to it.
 * Runs until killed; try it with {@code nc localhost 25000}.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.ChatServer 25000
 * </pre>
 */
public final class ChatServer {
    private static final System.Logger LOG = System.getLogger("org.curio.examples.ChatServer");

    /** One chat line. */
    private record Message(String name, byte[] text) {}

    private final Queue<Message> messages = new Queue<>();
    private final Set<Queue<Message>> subscribers = new LinkedHashSet<>();

    private ChatServer() {}

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
        Curio.run(() -> TaskGroup.run(TaskGroup.Wait.ALL, group -> {
            group.spawn(chat::dispatcher);
            group.spawn(() -> Network.tcpServer(host, port, chat::handler));
        }));
    }

    private void dispatcher() throws CancelledException {
        while (true) {
            Message m = messages.get();
            for (Queue<Message> q : List.copyOf(subscribers)) {
                q.put(m);
            }
        }
    }

    private void publish(String name, String text, SocketAddress from) throws CancelledException {
        publish(new Message(name, text.getBytes(StandardCharsets.UTF_8)), from);
    }

    private void publish(Message m, SocketAddress from) throws CancelledException {
        LOG.log(System.Logger.Level.INFO, "{0} published {1}", from,
                new String(m.text(), StandardCharsets.UTF_8).strip());
        messages.put(m);
    }

    private void outgoing(SocketStream stream) throws IOException, CancelledException {
        Queue<Message> queue = new Queue<>();
        subscribers.add(queue);
        try {
            while (true) {
                Message m = queue.get();
                stream.write((m.name() + ":").getBytes(StandardCharsets.UTF_8));
                stream.write(m.text());
            }
        } finally {
            subscribers.remove(queue);
        }
    }

    private void incoming(SocketStream stream, String name, SocketAddress from)
            throws IOException, CancelledException {
        stream.forEachLine(line -> publish(new Message(name, line), from));
    }

    private void handler(Socket client, SocketAddress address) throws IOException, CancelledException {
        LOG.log(System.Logger.Level.INFO, "connection from {0}", address);
        SocketStream stream = client.asStream();
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
