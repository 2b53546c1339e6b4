package org.curio.io;

import static org.curio.io.IoHarness.anyPort;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RELIABILITY.md's figure R10: connect/echo/close churn mixing client-first closes, server-first
 * closes and resets, 100,000 cycles (times {@code -Dcurio.stress}), with the process's descriptors
 * exactly as before and the kernel's ledger empty afterwards.
 */
class ChurnStressTest {
    private static final int STRESS = Integer.getInteger("curio.stress", 1);
    private static final int CYCLES = 100_000 * STRESS;
    private static final int CLIENTS = 8;                  // concurrent churning clients

    /** Three ways for a connection to end. */
    private enum Ending { CLIENT_CLOSES, SERVER_CLOSES, CLIENT_RESETS }

    /** 100,000 connect/echo/close cycles leave no descriptor, registration or task behind. */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void connectEchoCloseChurn() throws Exception {
        TreeMap<Integer, String> before = IoHarness.openFds();
        long[] counts = new long[Ending.values().length];
        long start = System.nanoTime();
        IoHarness.runVoid(() -> {
            Socket listening = Network.tcpServerSocket(new InetSocketAddress(IoHarness.LOOPBACK, 0),
                    Network.ServerOptions.defaults().withBacklog(1024));
            SocketAddress address = listening.localAddress();
            Task<?> server = Curio.spawn(() -> Network.runServer(listening, ChurnStressTest::serve));
            try (TaskGroup<Object> clients = TaskGroup.open()) {
                for (int c = 0; c < CLIENTS; c++) {
                    int first = c;
                    clients.spawn(() -> {
                        for (int i = first; i < CYCLES; i += CLIENTS) {
                            Ending ending = Ending.values()[i % 3];
                            cycle(address, ending, i);
                            counts[ending.ordinal()]++;
                        }
                    });
                }
                clients.join();
                clients.results();                            // a failed cycle fails the test
            }
            server.cancel();
        });
        IoHarness.assertNoNewFds(before);
        long total = counts[0] + counts[1] + counts[2];
        assertEquals(CYCLES, total);
        System.out.printf("R10: %d cycles in %.1f s%n", total, (System.nanoTime() - start) / 1e9);
    }

    private static void cycle(SocketAddress address, Ending ending, int i) throws IOException, CancelledException {
        try (Socket sock = Socket.open(Family.INET, Type.STREAM)) {
            sock.connect(address);
            ByteBuffer out = ByteBuffer.allocate(8).put((byte) ending.ordinal()).putInt(i).put(new byte[3]).flip();
            sock.sendAll(out);
            ByteBuffer in = ByteBuffer.allocate(8);
            while (in.hasRemaining()) {
                if (sock.recvInto(in) < 0) {
                    throw new IOException("echo cut short in cycle " + i + " after " + in.position() + " bytes");
                }
            }
            if (!in.flip().equals(out.rewind())) {
                throw new IOException("wrong echo in cycle " + i);
            }
            switch (ending) {
                case CLIENT_CLOSES -> { }
                case SERVER_CLOSES -> {
                    if (sock.recv(1).length != 0) {
                        throw new IOException("expected the server to close in cycle " + i);
                    }
                }
                case CLIENT_RESETS -> sock.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        }
    }

    private static void serve(Socket client, SocketAddress from) throws IOException, CancelledException {
        ByteBuffer buf = ByteBuffer.allocate(8);
        while (buf.hasRemaining()) {
            if (client.recvInto(buf) < 0) {
                return;
            }
        }
        client.sendAll(buf.flip());
        if (buf.get(0) == Ending.SERVER_CLOSES.ordinal()) {
            return;                                           // runServer closes the socket
        }
        try {
            client.recv(1);                                   // the client closes (end of stream) or resets
        } catch (SocketException e) {
            // "connection reset by peer": expected for CLIENT_RESETS
        }
    }
}
