package org.curio.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;

import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.traps.CancelledException;

/**
 * An echo server written directly with sockets, as curio's {@code examples/echoserv.py}: a task
 * accepts connections and spawns a task per client, which sends back whatever it receives. Runs
 * until killed.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.EchoServer 25000
 * </pre>
 */
public final class EchoServer {
    private EchoServer() {}

    /**
     * Serves echo.
     *
     * @param args the port (default 25000), then the address to bind (default 127.0.0.1)
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
            sock.listen(128);
            System.out.println("Server listening at " + sock.localAddress());
            while (true) {
                Socket client = sock.accept();
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
