package org.curio.ssl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * What a TLS connection does beyond the stream contract, over in-memory pairs on the virtual clock:
 * failures with clear errors, close_notify and ragged EOF, half-close on TLS 1.2 and 1.3, ALPN, SNI,
 * client certificates, cancellation during the handshake, and waking every waiter on a failure.
 */
class TlsBehaviourTest {
    private static TlsSettings client(String version) {
        return TlsTesting.client().withProtocols(version).withInlineDelegatedTasks(true);
    }

    private static TlsSettings server(String version) {
        return TlsTesting.server().withProtocols(version).withInlineDelegatedTasks(true);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Runs both handshakes; returns the client's and the server's failure (empty when it succeeded). */
    private static List<Optional<Throwable>> handshakes(TlsConnection c, TlsConnection s) throws Exception {
        Task<Void> a = Curio.spawn(c::handshake);
        Task<Void> b = Curio.spawn(s::handshake);
        a.await();
        b.await();
        return List.of(a.exception(), b.exception());
    }

    private static void assertFails(Optional<Throwable> failure, Class<? extends Throwable> type, String text) {
        assertTrue(failure.isPresent(), "expected a failure containing '" + text + "'");
        assertInstanceOf(type, failure.get(), () -> "got " + failure.get());
        assertTrue(String.valueOf(failure.get().getMessage()).contains(text),
                () -> "message '" + failure.get().getMessage() + "' lacks '" + text + "'");
    }

    // ------------------------------------------------------------------ bad peers and certificates

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void untrustedCertificateFailsBothSidesNamingTheAlert(String version) throws Exception {
        TlsTesting.run(() -> {
            TlsSettings untrusted = TlsSettings.server(TlsTesting.store("untrusted.p12"), TlsTesting.PASSWORD)
                    .withProtocols(version).withInlineDelegatedTasks(true);
            TlsConnection[] p = TlsTesting.memory(client(version), untrusted, 4096);
            List<Optional<Throwable>> f = handshakes(p[0], p[1]);
            assertFails(f.get(0), SSLHandshakeException.class, "PKIX path");
            assertFails(f.get(1), SSLHandshakeException.class, "Received fatal alert: bad_certificate");
            assertFalse(p[0].transport().isOpen(), "the client's transport is closed after the failure");
            assertThrows(SSLHandshakeException.class, () -> p[0].recv(10), "a broken connection stays broken");
            p[0].close();
            p[1].close();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void wrongHostNameFails(String version) throws Exception {
        TlsTesting.run(() -> {
            TlsSettings other = TlsSettings.server(TlsTesting.only("server.p12", "other"), TlsTesting.PASSWORD)
                    .withProtocols(version).withInlineDelegatedTasks(true);
            TlsConnection[] p = TlsTesting.memory(client(version), other, 4096);
            List<Optional<Throwable>> f = handshakes(p[0], p[1]);
            assertFails(f.get(0), SSLHandshakeException.class, "No subject alternative DNS name matching localhost");
            assertFails(f.get(1), SSLHandshakeException.class, "certificate_unknown");
            p[0].close();
            p[1].close();
        });
    }

    @Test
    void withoutHostnameVerificationTheChainIsStillChecked() throws Exception {
        TlsTesting.run(() -> {
            TlsSettings other = TlsSettings.server(TlsTesting.only("server.p12", "other"), TlsTesting.PASSWORD)
                    .withInlineDelegatedTasks(true);
            TlsSettings insecure = TlsSettings.client(TlsTesting.store("trust.p12"))
                    .withoutHostnameVerificationInsecure().withInlineDelegatedTasks(true);
            TlsConnection[] p = TlsTesting.memory(insecure, other, 4096);
            List<Optional<Throwable>> f = handshakes(p[0], p[1]);
            assertEquals(List.of(Optional.empty(), Optional.empty()), f);
            p[0].close();
            p[1].close();
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsConnection.client(org.curio.io.Socket.pair().first(), TlsSettings.client()));
        assertTrue(e.getMessage().contains("withServerName"), e.getMessage());
    }

    @Test
    void expiredCertificateFails() throws Exception {
        TlsTesting.run(() -> {
            // A leaf signed by a trusted test CA, valid for two days in 2000. (A self-signed certificate
            // trusted directly is a trust anchor, whose dates the JDK does not check.)
            TlsSettings expired = TlsSettings.server(TlsTesting.only("server.p12", "expiredleaf"), TlsTesting.PASSWORD)
                    .withInlineDelegatedTasks(true);
            TlsConnection[] p = TlsTesting.memory(client("TLSv1.3"), expired, 4096);
            List<Optional<Throwable>> f = handshakes(p[0], p[1]);
            assertFails(f.get(0), SSLHandshakeException.class, "");
            assertTrue(String.valueOf(f.get(0).get().getMessage()).toLowerCase().contains("expired")
                    || String.valueOf(f.get(0).get().getMessage()).contains("NotAfter"), f.get(0).get().toString());
            p[0].close();
            p[1].close();
        });
    }

    @Test
    void noCommonProtocolFails() throws Exception {
        TlsTesting.run(() -> {
            TlsConnection[] p = TlsTesting.memory(client("TLSv1.3"), server("TLSv1.2"), 4096);
            List<Optional<Throwable>> f = handshakes(p[0], p[1]);
            assertFails(f.get(0), SSLHandshakeException.class, "protocol_version");
            assertFails(f.get(1), SSLHandshakeException.class, "");
            p[0].close();
            p[1].close();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"plaintext", "garbage"})
    void nonTlsBytesFailTheServersHandshake(String kind) throws Exception {
        TlsTesting.run(() -> {
            TlsTesting.Raw raw = TlsTesting.raw();
            TlsConnection s = TlsConnection.server(raw.right(), server("TLSv1.3"));
            byte[] junk = kind.equals("plaintext") ? ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n") : new byte[300];
            if (kind.equals("garbage")) {
                new java.util.Random(7).nextBytes(junk);
                junk[0] = 22;                                // looks like a handshake record, then nonsense
            }
            raw.left().sendAll(junk);
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, s::handshake);
            assertTrue(e.getMessage().startsWith("TLS handshake (server) with"), e.getMessage());
            assertFalse(raw.right().isOpen());
            s.close();
            raw.left().close();
        });
    }

    @Test
    void truncatedHandshakeFailsFast() throws Exception {
        TlsTesting.run(() -> {
            TlsTesting.Raw raw = TlsTesting.raw();
            TlsConnection c = TlsConnection.client(raw.left(), client("TLSv1.3"));
            Task<Void> peer = Curio.spawn(() -> {
                raw.right().recv(10);                        // part of the ClientHello, then hang up
                raw.right().close();
            });
            long start = Timeouts.clock();
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, c::handshake);
            assertTrue(e.getMessage().contains("closed the transport during the handshake"), e.getMessage());
            assertEquals(0, Timeouts.clock() - start, "failed at once, not at a timeout");
            peer.join();
            c.close();
        });
    }

    @Test
    void silentPeerHitsTheHandshakeTimeout() throws Exception {
        TlsTesting.run(() -> {
            TlsTesting.Raw raw = TlsTesting.raw();
            TlsConnection s = TlsConnection.server(raw.right(), server("TLSv1.3"));
            long start = Timeouts.clock();
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> s.recv(10));
            assertEquals(Duration.ofSeconds(10).toNanos(), Timeouts.clock() - start);
            assertTrue(e.getMessage().contains("did not finish within PT10S"), e.getMessage());
            s.close();
            raw.left().close();
        });
    }

    @Test
    void aHandshakeFailureWakesEveryWaitingTask() throws Exception {
        TlsTesting.run(() -> {
            TlsSettings untrusted = TlsSettings.server(TlsTesting.store("untrusted.p12"), TlsTesting.PASSWORD)
                    .withInlineDelegatedTasks(true);
            TlsConnection[] p = TlsTesting.memory(client("TLSv1.3"), untrusted, 4096);
            List<String> events = new ArrayList<>();
            Task<Void> server = Curio.spawn(() -> {
                try {
                    p[1].handshake();
                } catch (SSLHandshakeException e) {
                    events.add("server failed");
                }
            });
            Task<Void> reader = Curio.spawn(() -> {
                try {
                    p[0].recv(10);
                } catch (SSLHandshakeException e) {
                    events.add("reader failed");
                }
            });
            Task<Void> writer = Curio.spawn(() -> {
                try {
                    p[0].sendAll(ascii("hello"));
                } catch (SSLHandshakeException e) {
                    events.add("writer failed");
                }
            });
            reader.join();
            writer.join();
            server.join();
            assertEquals(List.of("reader failed", "writer failed", "server failed"), events.subList(0, 3).stream()
                    .sorted((a, b) -> a.startsWith("server") ? 1 : b.startsWith("server") ? -1 : a.compareTo(b))
                    .toList());
            p[0].close();
            p[1].close();
        });
    }

    // ------------------------------------------------------------------ close, ragged EOF, half-close

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void closeSendsCloseNotify(String version) throws Exception {
        TlsTesting.run(() -> {
            TlsConnection[] p = TlsTesting.memory(client(version), server(version), 4096);
            TlsTesting.handshakeBoth(p[0], p[1]);
            p[0].sendAll(ascii("bye"));
            p[0].close();
            assertArrayEquals(ascii("bye"), p[1].recv(10));
            assertEquals(-1, p[1].recvInto(ByteBuffer.allocate(10)), "close_notify reads as end of stream");
            assertEquals(-1, p[1].recvInto(ByteBuffer.allocate(10)));
            p[1].close();
        });
    }

    @Test
    void raggedEofIsAnErrorByDefaultAndEndOfStreamByOption() throws Exception {
        for (boolean allowed : new boolean[] {false, true}) {
            TlsTesting.run(() -> {
                TlsConnection[] p = TlsTesting.memory(client("TLSv1.3"),
                        server("TLSv1.3").withRaggedEofAsEndOfStream(allowed), 4096);
                TlsTesting.handshakeBoth(p[0], p[1]);
                p[0].sendAll(ascii("partial"));
                p[0].transport().close();                    // EOF without close_notify
                assertArrayEquals(ascii("partial"), p[1].recv(100));
                for (int i = 0; i < 2; i++) {
                    if (allowed) {
                        assertEquals(-1, p[1].recvInto(ByteBuffer.allocate(10)));
                    } else {
                        SSLException e = assertThrows(SSLException.class, () -> p[1].recv(10));
                        assertTrue(e.getMessage().contains("ragged EOF"), e.getMessage());
                    }
                }
                p[0].close();
                p[1].close();
            });
        }
    }

    @Test
    void halfCloseOnTls13KeepsTheOtherDirection() throws Exception {
        TlsTesting.run(() -> {
            TlsConnection[] p = TlsTesting.memory(client("TLSv1.3"), server("TLSv1.3"), 4096);
            TlsTesting.handshakeBoth(p[0], p[1]);
            p[0].sendAll(ascii("request"));
            p[0].shutdownOutput();
            assertArrayEquals(ascii("request"), p[1].recv(100));
            assertEquals(-1, p[1].recvInto(ByteBuffer.allocate(10)));
            p[1].sendAll(ascii("reply after the half-close"));
            assertArrayEquals(ascii("reply after the half-close"), p[0].asStream().readExactly(26));
            assertThrows(IOException.class, () -> p[0].sendAll(ascii("late")));
            p[0].close();
            p[1].close();
        });
    }

    /**
     * A TLS 1.3 client that only sends never reads the session ticket the server sends after the
     * client's handshake is done. Its close throws that ciphertext away before it closes the socket, so
     * TCP ends with FIN, not a reset: the server reads the request, close_notify, then the socket's own
     * end of stream.
     */
    @Test
    void closeWithTheSessionTicketUnreadEndsTcpWithFin() throws Exception {
        TlsTesting.run(() -> {
            org.curio.io.Socket[] raw = TlsTesting.rawTcp();
            TlsConnection c = TlsConnection.client(raw[0], overTcp(client("TLSv1.3")));
            TlsConnection s = TlsConnection.server(raw[1], overTcp(server("TLSv1.3")));
            TlsTesting.handshakeBoth(c, s);
            c.sendAll(ascii("request"));
            c.close();                                          // close_notify goes out from a daemon task
            Timeouts.sleep(Duration.ofSeconds(1));              // which has closed the socket by then
            assertFalse(raw[0].isOpen());
            assertArrayEquals(ascii("request"), s.recv(100));
            assertEquals(-1, s.recvInto(ByteBuffer.allocate(10)), "close_notify");
            assertEquals(-1, raw[1].recvInto(ByteBuffer.allocate(10)), "the socket's end of stream (FIN, no reset)");
            s.close();
            Timeouts.sleep(Duration.ofSeconds(1));              // its close_notify goes out, and the socket closes
        });
    }

    /** On a real network and the virtual clock, no handshake timeout and inline tasks (see TlsContractTest). */
    private static TlsSettings overTcp(TlsSettings settings) {
        return settings.withInlineDelegatedTasks(true).withHandshakeTimeout(null);
    }

    @Test
    void halfCloseOnTls12ClosesBothDirections() throws Exception {
        TlsTesting.run(() -> {
            TlsConnection[] p = TlsTesting.memory(client("TLSv1.2"), server("TLSv1.2"), 4096);
            TlsTesting.handshakeBoth(p[0], p[1]);
            p[0].sendAll(ascii("request"));
            p[0].shutdownOutput();
            assertArrayEquals(ascii("request"), p[1].recv(100));
            assertEquals(-1, p[1].recvInto(ByteBuffer.allocate(10)));      // and the server answered close_notify
            assertThrows(IOException.class, () -> p[1].sendAll(ascii("reply")), "TLS 1.2 close is duplex");
            assertEquals(-1, p[0].recvInto(ByteBuffer.allocate(10)), "the client reads the answer as end of stream");
            p[0].close();
            p[1].close();
        });
    }

    // ------------------------------------------------------------------ ALPN, SNI, client certificates

    @Test
    void alpnAgreesOnTheServersFirstChoiceTheClientOffers() throws Exception {
        TlsTesting.run(() -> {
            TlsConnection[] p = TlsTesting.memory(client("TLSv1.3").withAlpn("http/1.1", "h2"),
                    server("TLSv1.3").withAlpn("h2", "http/1.1"), 4096);
            TlsTesting.handshakeBoth(p[0], p[1]);
            assertEquals(Optional.of("h2"), p[0].applicationProtocol());
            assertEquals(Optional.of("h2"), p[1].applicationProtocol());
            p[0].close();
            p[1].close();
            TlsConnection[] q = TlsTesting.memory(client("TLSv1.3").withAlpn("spdy/3"),
                    server("TLSv1.3").withAlpn("h2"), 4096);
            List<Optional<Throwable>> f = handshakes(q[0], q[1]);
            assertFails(f.get(1), SSLHandshakeException.class, "application");
            assertFails(f.get(0), SSLHandshakeException.class, "");
            q[0].close();
            q[1].close();
        });
    }

    @Test
    void serverChoosesItsCertificateBySni() throws Exception {
        TlsTesting.run(() -> {
            TlsSettings sni = TlsSettings.server(TlsTesting.store("server.p12"), TlsTesting.PASSWORD,
                    Map.of("other.test", "other", "localhost", "localhost")).withInlineDelegatedTasks(true);
            for (String host : List.of("other.test", "localhost")) {
                TlsConnection[] p = TlsTesting.memory(TlsTesting.client().withServerName(host)
                        .withInlineDelegatedTasks(true), sni, 4096);
                TlsTesting.handshakeBoth(p[0], p[1]);
                X509Certificate cert = (X509Certificate) p[0].session().getPeerCertificates()[0];
                assertEquals("CN=" + host, cert.getSubjectX500Principal().getName());
                p[0].close();
                p[1].close();
            }
        });
    }

    @Test
    void clientCertificatesNeededAndPresented() throws Exception {
        TlsTesting.run(() -> {
            TlsSettings need = TlsSettings.server(TlsTesting.only("server.p12", "localhost"), TlsTesting.PASSWORD,
                    TlsTesting.store("trust.p12")).withClientAuth(TlsSettings.ClientAuth.NEED)
                    .withInlineDelegatedTasks(true);
            TlsConnection[] p = TlsTesting.memory(client("TLSv1.3"), need, 4096);
            List<Optional<Throwable>> f = handshakes(p[0], p[1]);
            assertFails(f.get(1), SSLHandshakeException.class, "");
            p[0].close();
            p[1].close();

            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
            kmf.init(TlsTesting.store("client.p12"), TlsTesting.PASSWORD);
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            tmf.init(TlsTesting.store("trust.p12"));
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            TlsConnection[] q = TlsTesting.memory(TlsSettings.client(ctx).withServerName("localhost")
                    .withInlineDelegatedTasks(true), need, 4096);
            TlsTesting.handshakeBoth(q[0], q[1]);
            X509Certificate cert = (X509Certificate) q[1].session().getPeerCertificates()[0];
            assertEquals("CN=client", cert.getSubjectX500Principal().getName());
            q[0].close();
            q[1].close();
        });
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void aCancelledLazyHandshakeLosesNothing() throws Exception {
        TlsTesting.run(() -> {
            TlsTesting.Raw raw = TlsTesting.raw(64 * 1024, Duration.ofMillis(1));   // each flight takes 1 ms
            TlsConnection[] p = {TlsConnection.client(raw.left(), client("TLSv1.3")),
                TlsConnection.server(raw.right(), server("TLSv1.3"))};
            List<String> events = new ArrayList<>();
            Task<Void> reader = Curio.spawn(() -> {
                try {
                    p[1].recv(10);
                } catch (TaskCancelledException e) {
                    events.add("server read cancelled during " + (p[1].isHandshakeComplete() ? "data" : "handshake"));
                    throw e;
                }
            });
            Task<Void> client = Curio.spawn(() -> p[0].sendAll(ascii("hello")));
            Timeouts.sleep(Duration.ofMillis(1));            // the client's hello is on its way
            reader.cancel();
            events.add("cancel returned");
            assertEquals(ascii("hello").length, p[1].asStream().readExactly(5).length);
            client.join();
            assertTrue(p[1].isHandshakeComplete());
            assertEquals(List.of("server read cancelled during handshake", "cancel returned"), events);
            p[0].close();
            p[1].close();
        });
    }

    @Test
    void aTimedOutSendLeavesAUsableStreamAndReportsWhatWent() throws Exception {
        TlsTesting.run(() -> {
            TlsConnection[] p = TlsTesting.memory(client("TLSv1.3"), server("TLSv1.3"), 4096);
            TlsTesting.handshakeBoth(p[0], p[1]);
            byte[] data = new byte[1 << 20];
            new java.util.Random(1).nextBytes(data);
            ByteBuffer src = ByteBuffer.wrap(data);
            assertThrows(org.curio.traps.TaskTimeoutException.class,
                    () -> Timeouts.after(Duration.ofSeconds(1), () -> p[0].sendAll(src)));
            int sent = src.position();
            assertTrue(sent > 0 && sent < data.length, "sent " + sent);
            byte[] after = ascii("and then this");
            try (TaskGroup<Object> g = TaskGroup.open()) {
                g.spawn(() -> p[0].sendAll(after));
                byte[] got = p[1].asStream().readExactly(sent + after.length);
                assertArrayEquals(java.util.Arrays.copyOf(data, sent), java.util.Arrays.copyOf(got, sent));
                assertArrayEquals(after, java.util.Arrays.copyOfRange(got, sent, got.length));
                g.join();
            }
            p[0].close();
            p[1].close();
        });
    }
}
