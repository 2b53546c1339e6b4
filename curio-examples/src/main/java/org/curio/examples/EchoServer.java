package org.curio.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;

/**
 * An echo server written directly with sockets, as curio's {@code examples/echoserv.py}: a task
 * accepts connections and spawns a task per client, which sends back whatever it receives. Runs
 * until killed.
 *
 * <p>Unlike curio's example, its accept loop survives running out of descriptors: when the process
 * has as many connections as its limit allows ({@code ulimit -n}), {@code accept} fails with
 * "too many open files" ({@code EMFILE}) until a client leaves. Giving up there would drop every
 * connected client; retrying at once would spin. The loop reports the first failure of a burst,
 * sleeps 100 ms, doubling up to 1 s, while the connected clients keep being served, and accepts again
 * when a descriptor is free. {@link org.curio.io.Network#tcpServer} does the same for you. The
 * listening socket's backlog is the system's ({@code somaxconn}), so a burst of connections is not
 * dropped by the kernel while the loop catches up.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.EchoServer 25000
 * </pre>
 */
public final class EchoServer {
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private EchoServer() {}

    /**
     * Serves echo.
     *
     * @param args the port (default 25000; 0 for any free one), then the address to bind (default
     *             127.0.0.1)
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 25000;
        InetAddress host = InetAddress.ofLiteral(args.length > 1 ? args[1] : "127.0.0.1");
        Curio.run(() -> echoServer(new InetSocketAddress(host, port)));
    }

    private static void echoServer(InetSocketAddress address) throws IOException, CancelledException {
        Socket.Family family = address.getAddress() instanceof java.net.Inet6Address
                ? Socket.Family.INET6 : Socket.Family.INET;
        try (Socket sock = Socket.open(family, Socket.Type.STREAM)) {
            sock.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            sock.bind(address);
            sock.listen(Network.ServerOptions.defaults().backlog());
            System.out.println("Server listening at " + sock.localAddress());
            System.out.flush();
            Duration backoff = Duration.ZERO;
            while (true) {
                Socket client;
                try {
                    client = sock.accept();
                } catch (IOException e) {
                    if (!sock.isOpen()) {
                        throw e;                             // the server itself is gone
                    }
                    // Out of descriptors (or a client that vanished while being accepted): keep the
                    // connected clients, wait, and try again.
                    if (backoff.isZero()) {
                        System.out.println("Accept failed (" + e.getMessage() + "); backing off");
                    }
                    backoff = backoff.isZero() ? FIRST_BACKOFF : backoff.multipliedBy(2);
                    if (backoff.compareTo(MAX_BACKOFF) > 0) {
                        backoff = MAX_BACKOFF;
                    }
                    Timeouts.sleep(backoff);
                    continue;
                }
                if (!backoff.isZero()) {
                    System.out.println("Accepting again");
                    backoff = Duration.ZERO;
                }
                Curio.spawn(() -> echoClient(client));
            }
        }
    }

    private static void echoClient(Socket client) throws CancelledException {
        try (client) {
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            System.out.println("Connection from " + client.remoteAddress());
            while (true) {
                byte[] data = client.recv(10000);
                if (data.length == 0) {
                    break;
                }
                client.sendAll(data);
            }
            System.out.println("Connection closed");
        } catch (IOException e) {
            System.out.println("Connection lost: " + e.getMessage());
        }
    }
}
