package org.curio.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.curio.kernel.Kernel;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.kernel.VoidBody;
import org.curio.kernel.spi.Activation;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.junit.jupiter.api.Test;

/**
 * Each operation that need not wait draws on the cooperative budget: with a budget of one, the second
 * of two such operations right after a real suspension yields first (a plain yield the activation
 * sees), whichever operation it is.
 */
class BudgetDrawPointsTest {
    /** An operation under test, done twice after the set-up; it must find its data or room at once. */
    @FunctionalInterface
    private interface Twice {
        void run() throws Exception;
    }

    /** Runs {@code setUp}, sleeps (a real suspension, a fresh budget), then {@code twice}; counts the forced yields. */
    private static int forcedYields(VoidBody<?> setUp, Twice twice) throws Exception {
        AtomicInteger yields = new AtomicInteger();
        boolean[] counting = new boolean[1];
        Activation recorder = new Activation() {
            @Override
            public void trap(Task<?> task, Trap<?> trap) {
                if (counting[0] && trap instanceof Trap.Sleep(long deadline) && deadline == Long.MIN_VALUE) {
                    yields.incrementAndGet();
                }
            }
        };
        try (Kernel kernel = Kernel.builder().clock(VirtualClock.create()).cooperativeBudget(1).activation(recorder)
                .build()) {
            kernel.run(() -> {
                setUp.run();
                Timeouts.sleep(Duration.ofMillis(1));
                counting[0] = true;
                twice.run();
                counting[0] = false;
                return null;
            });
        }
        return yields.get();
    }

    /** Socket.recvFrom draws. */
    @Test
    void recvFromDraws() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        assertEquals(1, forcedYields(() -> {
            Socket.Pair p = Socket.pair(Socket.Type.DATAGRAM);
            sockets.add(p.first());
            sockets.add(p.second());
            p.first().send(new byte[] {1});
            p.first().send(new byte[] {2});
        }, () -> {
            sockets.get(1).recvFrom(10);
            sockets.get(1).recvFrom(10);
            sockets.forEach(Socket::close);
        }));
    }

    /** Socket.sendTo draws. */
    @Test
    void sendToDraws() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        assertEquals(1, forcedYields(() -> {
            Socket s = Socket.open(Socket.Family.INET, Socket.Type.DATAGRAM);
            s.bind(IoHarness.anyPort());
            sockets.add(s);
        }, () -> {
            Socket s = sockets.get(0);
            SocketAddress self = s.localAddress();
            s.sendTo(new byte[] {1}, self);
            s.sendTo(new byte[] {2}, self);
            s.close();
        }));
    }

    /** Socket.accept draws. */
    @Test
    void acceptDraws() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        assertEquals(1, forcedYields(() -> {
            Socket listener = Network.tcpServerSocket(IoHarness.anyPort(), Network.ServerOptions.defaults());
            sockets.add(listener);
            InetSocketAddress at = (InetSocketAddress) listener.localAddress();
            sockets.add(Network.openConnection(at.getHostString(), at.getPort()));
            sockets.add(Network.openConnection(at.getHostString(), at.getPort()));
        }, () -> {
            sockets.add(sockets.get(0).accept());
            sockets.add(sockets.get(0).accept());
            sockets.forEach(Socket::close);
        }));
    }

    /** Socket.connect draws (a Unix-domain connect completes at once). */
    @Test
    void connectDraws() throws Exception {
        Path dir = Files.createTempDirectory("curio-budget");
        Path path = dir.resolve("s");
        List<Socket> sockets = new ArrayList<>();
        try {
            assertEquals(1, forcedYields(() -> {
                sockets.add(Network.unixServerSocket(path, 8));
                sockets.add(Socket.open(Socket.Family.UNIX, Socket.Type.STREAM));
                sockets.add(Socket.open(Socket.Family.UNIX, Socket.Type.STREAM));
            }, () -> {
                sockets.get(1).connect(java.net.UnixDomainSocketAddress.of(path));
                sockets.get(2).connect(java.net.UnixDomainSocketAddress.of(path));
                sockets.forEach(Socket::close);
            }));
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }
}
