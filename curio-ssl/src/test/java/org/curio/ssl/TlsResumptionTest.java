package org.curio.ssl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.traps.Task;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Session resumption: a second client connection to the same server (same port, same server name,
 * the same client and server settings objects) resumes the first one's session, on TLS 1.3 (a
 * pre-shared key from the server's ticket) and on TLS 1.2; fresh settings on the client run a full
 * handshake again.
 */
class TlsResumptionTest {
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aSecondConnectionWithTheSameSettingsResumes(String version) throws Exception {
        TlsTesting.runReal(() -> {
            TlsSettings client = TlsTesting.client().withProtocols(version);
            TlsSettings server = TlsTesting.server().withProtocols(version);
            try (Socket listener = Network.tcpServerSocket("127.0.0.1", 0)) {
                int port = ((InetSocketAddress) listener.localAddress()).getPort();
                boolean[] first = connect(listener, port, client, server);
                assertFalse(first[0], "first client connection resumed");
                assertFalse(first[1], "first server connection resumed");
                boolean[] second = connect(listener, port, client, server);
                assertTrue(second[0], version + ": the second client connection did not resume");
                assertTrue(second[1], version + ": the second server connection did not resume");
                boolean[] fresh = connect(listener, port, TlsTesting.client().withProtocols(version), server);
                assertFalse(fresh[0], "a client with new settings (a new session cache) resumed");
                assertFalse(fresh[1], "the server resumed for a client with a new session cache");
            }
        });
    }

    /** One exchange; {@return whether the client and the server resumed} */
    private static boolean[] connect(Socket listener, int port, TlsSettings client, TlsSettings server)
            throws Exception {
        Task<Boolean> accepted = Curio.spawn(() -> {
            try (TlsConnection s = TlsConnection.server(listener.accept(), server)) {
                s.sendAll(HELLO);                        // after the TLS 1.3 session ticket
                assertEquals(0, s.asStream().read(1).length, "client sent data");
                return s.sessionResumed();
            }
        });
        boolean resumed;
        try (TlsConnection c = TlsConnection.client(Network.openConnection("127.0.0.1", port), client)) {
            assertFalse(c.sessionResumed(), "resumed before the handshake");
            c.handshake();
            assertArrayEquals(HELLO, c.asStream().readExactly(HELLO.length));
            resumed = c.sessionResumed();
            c.shutdownOutput();
            assertEquals(0, c.asStream().read(1).length, "server sent more");
        }
        return new boolean[] {resumed, accepted.join()};
    }
}
