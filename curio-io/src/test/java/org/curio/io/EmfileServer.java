package org.curio.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

import org.curio.kernel.Kernel;
import org.curio.traps.CancelledException;

/**
 * The server {@link EmfileChildTest} runs in a child JVM with a low descriptor limit: the library's
 * TCP echo server on 127.0.0.1, default options. Prints {@code LISTENING <port>}, serves until its
 * standard input ends (so it never outlives the test) or it is killed.
 */
final class EmfileServer {
    private EmfileServer() {}

    public static void main(String[] args) throws Exception {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // wait for the end of the input
                }
            } catch (IOException e) {
                // the parent went away
            }
            Runtime.getRuntime().halt(3);
        });
        try (Kernel kernel = Kernel.create()) {
            kernel.run(() -> {
                Socket listening = Network.tcpServerSocket(new InetSocketAddress(IoHarness.LOOPBACK, 0),
                        Network.ServerOptions.defaults());
                System.out.println("LISTENING " + ((InetSocketAddress) listening.localAddress()).getPort());
                System.out.flush();
                Network.runServer(listening, EmfileServer::echo);
            });
        }
    }

    private static void echo(Socket client, SocketAddress from) throws IOException, CancelledException {
        byte[] data;
        while ((data = client.recv(1000)).length > 0) {
            client.sendAll(data);
        }
    }
}
