package org.curio.examples;

import java.net.SocketAddress;
import java.net.StandardSocketOptions;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;

/**
 * The echo server again, with the TCP server helper, as curio's {@code examples/echoserv2.py}: the
 * helper runs a task per client in a task group and closes each client when its handler returns.
 * Runs until killed.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.TcpServerEcho 25000
 * </pre>
 */
public final class TcpServerEcho {
    private TcpServerEcho() {}

    /**
     * Serves echo.
     *
     * @param args the port (default 25000), then the address to bind (default 127.0.0.1)
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 25000;
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        System.out.println("Serving echo on " + host + ":" + port);
        Curio.run(() -> Network.tcpServer(host, port, TcpServerEcho::echoClient));
    }

    private static void echoClient(Socket client, SocketAddress address) throws Exception {
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        System.out.println("Connection from " + address);
        while (true) {
            byte[] data = client.recv(1000);
            if (data.length == 0) {
                break;
            }
            client.sendAll(data);
        }
        System.out.println("Connection closed");
    }
}
