package org.curio.examples;

import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;

/**
 * An echo server on a Unix-domain socket, as curio's {@code examples/unix_echo.py}. Removes a
 * leftover socket file first; the server removes its own when it stops. Runs until killed.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.UnixEcho /tmp/curiounixecho
 * </pre>
 */
public final class UnixEcho {
    private UnixEcho() {}

    /**
     * Serves echo.
     *
     * @param args the socket's path (default {@code /tmp/curiounixecho})
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args.length > 0 ? args[0] : "/tmp/curiounixecho");
        Files.deleteIfExists(path);
        System.out.println("Unix echo at " + path);
        Curio.run(() -> Network.unixServer(path, UnixEcho::echoHandler));
    }

    private static void echoHandler(Socket client, SocketAddress address) throws Exception {
        System.out.println("Connection from " + address);
        while (true) {
            byte[] data = client.recv(10000);
            if (data.length == 0) {
                break;
            }
            client.sendAll(data);
        }
        System.out.println("Connection closed");
    }
}
