package org.curio.samples.app;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.curio.io.ByteStream;
import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.traps.Task;

/** An echo server and a client of it, in one program; prints what came back and exits. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String echoed = Curio.run(() -> {
            try (Socket listening = Network.tcpServerSocket("127.0.0.1", 0);
                 TaskGroup<Object> group = TaskGroup.open()) {
                int port = ((InetSocketAddress) listening.localAddress()).getPort();
                Task<?> server = group.spawn(() -> {
                    Network.runServer(listening, (client, address) -> {
                        ByteStream stream = ByteStream.of(client);
                        stream.write(stream.readLine());
                    });
                    return null;
                });
                try (Socket socket = Network.openConnection("127.0.0.1", port)) {
                    ByteStream stream = ByteStream.of(socket);
                    stream.write("hello, curio\n".getBytes(StandardCharsets.UTF_8));
                    String reply = new String(stream.readLine(), StandardCharsets.UTF_8).strip();
                    server.cancel();
                    group.join();
                    return reply;
                }
            }
        });
        System.out.println("module-app echoed: " + echoed);
    }
}
