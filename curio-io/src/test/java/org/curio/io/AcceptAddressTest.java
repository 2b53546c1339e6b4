package org.curio.io;

import static org.curio.io.IoHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.test.CurioTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Curio's {@code client, address = await sock.accept()}: an accepted socket's
 * {@link Socket#remoteAddress()} is the address accept reported, over TCP on IPv4 and IPv6 and over
 * Unix-domain sockets, and it still answers after the peer has reset the connection (a fresh
 * {@code getpeername} would then fail with "socket is not connected").
 */
class AcceptAddressTest {
    /** Over IPv4, the accepted socket names the client's address, also after the client reset. */
    @CurioTest
    void tcpV4() throws Exception {
        assertEquals(List.of("accepted from the client's address", "connection reset by peer",
                "after the reset: the client's address"), acceptThenReset(Family.INET, "127.0.0.1"));
    }

    /** Over IPv6, likewise. */
    @CurioTest
    void tcpV6() throws Exception {
        assertEquals(List.of("accepted from the client's address", "connection reset by peer",
                "after the reset: the client's address"), acceptThenReset(Family.INET6, "::1"));
    }

    /** Connects to a listener, resets the client after accept, and records what the accepted end says. */
    private static List<String> acceptThenReset(Family family, String host) throws Exception {
        List<String> events = new ArrayList<>();
        try (Socket server = Socket.open(family, Type.STREAM)) {
            server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            server.listen();
            Socket client = Socket.open(family, Type.STREAM);
            try {
                client.connect(server.localAddress());
                SocketAddress clientAddress = client.localAddress();
                try (Socket accepted = server.accept()) {
                    events.add(accepted.remoteAddress().equals(clientAddress)
                            ? "accepted from the client's address" : "accepted from " + accepted.remoteAddress());
                    client.setOption(StandardSocketOptions.SO_LINGER, 0);
                    client.close();                                     // sends a reset
                    events.add(assertThrows(SocketException.class, () -> accepted.recv(10)).getMessage());
                    SocketAddress after = accepted.remoteAddress();
                    events.add(after.equals(clientAddress)
                            ? "after the reset: the client's address" : "after the reset: " + after);
                }
            } finally {
                client.close();
            }
        }
        return events;
    }

    /** Over Unix-domain sockets, a bound client's path, and an unnamed client's empty path. */
    @CurioTest
    void unix(@TempDir Path dir) throws Exception {
        UnixDomainSocketAddress serverPath = UnixDomainSocketAddress.of(dir.resolve("server.sock"));
        UnixDomainSocketAddress clientPath = UnixDomainSocketAddress.of(dir.resolve("client.sock"));
        try (Socket server = Socket.open(Family.UNIX, Type.STREAM)) {
            server.bind(serverPath);
            server.listen();
            Socket named = Socket.open(Family.UNIX, Type.STREAM);
            try (Socket unnamed = Socket.open(Family.UNIX, Type.STREAM)) {
                named.bind(clientPath);
                named.connect(serverPath);
                unnamed.connect(serverPath);
                try (Socket first = server.accept();
                     Socket second = server.accept()) {
                    assertEquals(clientPath, first.remoteAddress());
                    assertEquals(UnixDomainSocketAddress.of(""), second.remoteAddress());
                    named.sendAll(bytes("x"));
                    named.close();
                    assertEquals(1, first.recv(10).length);
                    assertEquals(0, first.recv(10).length);                  // the client has gone
                    assertEquals(clientPath, first.remoteAddress());
                }
            } finally {
                named.close();
            }
        }
    }

    /** A closed accepted socket refuses remoteAddress, as every other call, with "socket closed". */
    @CurioTest
    void closedAcceptedSocket() throws Exception {
        try (Socket server = Socket.open(Family.INET, Type.STREAM);
             Socket client = Socket.open(Family.INET, Type.STREAM)) {
            server.bind(IoHarness.anyPort());
            server.listen();
            client.connect(server.localAddress());
            Socket accepted = server.accept();
            accepted.close();
            assertEquals("socket closed", assertThrows(SocketException.class, accepted::remoteAddress).getMessage());
        }
    }
}
