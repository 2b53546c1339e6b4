package org.curio.examples;

import java.time.Duration;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;

/**
 * A happy-eyeballs client, as curio's {@code examples/happy.py}: resolves a name off the kernel
 * thread, races connections to its addresses (IPv6 and IPv4 alternating, each attempt 250 ms after
 * the previous one unless that one already failed), keeps the first that succeeds and cancels the
 * rest.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.HappyEyeballsClient localhost 25000
 * </pre>
 */
public final class HappyEyeballsClient {
    private HappyEyeballsClient() {}

    /**
     * Connects and reports which address won.
     *
     * @param args the host (default localhost) and the port (default 25000)
     * @throws Exception if no address accepts the connection
     */
    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : "localhost";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 25000;
        Curio.run(() -> {
            System.out.println(host + " resolves to " + Network.lookup(host));
            long start = System.nanoTime();
            try (Socket sock = Network.happyEyeballs(host, port, Duration.ofMillis(250))) {
                System.out.printf("connected to %s from %s in %.1f ms%n", sock.remoteAddress(),
                        sock.localAddress(), (System.nanoTime() - start) / 1e6);
            }
        });
    }
}
