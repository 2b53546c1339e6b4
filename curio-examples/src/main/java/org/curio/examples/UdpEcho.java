package org.curio.examples;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.curio.io.Datagram;
import org.curio.io.Socket;
import org.curio.kernel.Curio;

/**
 * A UDP echo server, as curio's {@code examples/udp_echo.py}: every datagram goes back to its
 * sender. Runs until killed.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.UdpEcho 26000
 * </pre>
 */
public final class UdpEcho {
    private UdpEcho() {}

    /**
     * Serves UDP echo.
     *
     * @param args the port (default 26000), then the address to bind (default 127.0.0.1)
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 26000;
        InetAddress host = InetAddress.ofLiteral(args.length > 1 ? args[1] : "127.0.0.1");
        Curio.run(() -> {
            try (Socket sock = Socket.open(Socket.Family.INET, Socket.Type.DATAGRAM)) {
                sock.bind(new InetSocketAddress(host, port));
                System.out.println("UDP echo at " + sock.localAddress());
                while (true) {
                    Datagram d = sock.recvFrom(10000);
                    System.out.println("Received " + d.data().length + " bytes from " + d.sender());
                    sock.sendTo(d.data(), d.sender());
                }
            }
        });
    }
}
