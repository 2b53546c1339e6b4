package org.curio.samples.plain;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.traps.Task;

/**
 * A client and an echo server on the class path, with a timeout around the exchange; prints the
 * coroutine backend it ran on (continuations, thanks to the jar's manifest) and the reply.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String report = Curio.run(() -> {
            Socket listening = Network.tcpServerSocket("127.0.0.1", 0);
            int port = ((InetSocketAddress) listening.localAddress()).getPort();
            Task<Void> server = Curio.spawnDaemon(() -> Network.runServer(listening, (client, address) -> {
                byte[] data = client.recv(1024);
                client.sendAll(data);
            }));
            byte[] reply = Timeouts.after(Duration.ofSeconds(5), () -> {
                try (Socket socket = Network.openConnection("127.0.0.1", port)) {
                    socket.sendAll("ping".getBytes(StandardCharsets.UTF_8));
                    return socket.recv(1024);
                }
            });
            server.cancel();
            return Curio.kernel().backend() + " " + new String(reply, StandardCharsets.UTF_8);
        });
        System.out.println("classpath-app on " + report);
    }
}
