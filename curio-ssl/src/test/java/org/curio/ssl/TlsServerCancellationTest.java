package org.curio.ssl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server side of the cancellation grid: over a memory pair whose every transfer takes 1 ms of
 * virtual time, the server task (handshake, receive, send) is cancelled after 0, 1, 2, ... ms and then
 * carries on; every byte arrives once and in order, and the ledger, descriptors and engine count are
 * back where they started. Then a server cancelled while its engine's delegated task runs on a worker
 * thread (a client certificate check held until the test lets it go) carries on with the same task.
 */
class TlsServerCancellationTest {
    private static final int SIZE = 32 * 1024;
    private static final byte[] THANKS = "thank".getBytes(StandardCharsets.US_ASCII);

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void serverCancelledAtEachMomentThenCarryingOnLosesNothing() throws Exception {
        byte[] data = new byte[SIZE];
        new Random(5).nextBytes(data);
        for (int moment : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 16, 20, 30, 40}) {
            for (String version : new String[] {"TLSv1.3", "TLSv1.2"}) {
                TlsTesting.run(() -> {
                    TlsTesting.Raw raw = TlsTesting.raw(8 * 1024, Duration.ofMillis(1));
                    TlsConnection c = TlsConnection.client(raw.left(),
                            TlsTesting.client().withProtocols(version).withInlineDelegatedTasks(true));
                    TlsConnection s = TlsConnection.server(raw.right(),
                            TlsTesting.server().withProtocols(version).withInlineDelegatedTasks(true));
                    ByteBuffer received = ByteBuffer.allocate(SIZE);
                    ByteBuffer reply = ByteBuffer.wrap(THANKS);
                    Task<byte[]> client = Curio.spawn(() -> {
                        c.sendAll(data);
                        byte[] got = c.asStream().readExactly(THANKS.length);
                        c.sendAll(data);                 // a second round, so a late cancel hits a receive too
                        return got;
                    });
                    Task<Void> server = Curio.spawn(() -> serve(s, received, reply));
                    Timeouts.sleep(Duration.ofMillis(moment));
                    server.cancel();
                    if (server.exception().isPresent()
                            && !(server.exception().get() instanceof TaskCancelledException)) {
                        throw new AssertionError(version + " at " + moment + " ms the server failed: "
                                + server.exception().get(), server.exception().get());
                    }
                    serve(s, received, reply);           // carry on where the cancelled task stood
                    assertArrayEquals(data, received.array(), version + " at " + moment + " ms");
                    assertArrayEquals(data, s.asStream().readExactly(SIZE), version + " at " + moment + " ms");
                    assertArrayEquals(THANKS, client.join(), version + " at " + moment + " ms");
                    c.close();
                    s.close();
                });
            }
        }
    }

    /** Handshake, receive SIZE bytes into {@code received}, send {@code reply}; resumable where it stood. */
    private static void serve(TlsConnection s, ByteBuffer received, ByteBuffer reply) throws Exception {
        s.handshake();
        while (received.hasRemaining()) {
            if (s.recvInto(received) < 0) {
                throw new AssertionError("end of stream after " + received.position() + " bytes");
            }
        }
        s.sendAll(reply);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void serverCancelledWhileADelegatedTaskRunsCarriesOn() throws Exception {
        CompletableFuture<Void> entered = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        TlsSettings server = TlsSettings.server(heldClientCheck(entered, release))
                .withClientAuth(TlsSettings.ClientAuth.NEED);   // delegated tasks on worker threads
        TlsTesting.runReal(() -> {
            TlsTesting.Raw raw = TlsTesting.raw();
            TlsConnection c = TlsConnection.client(raw.left(), TlsSettings.client(clientContext())
                    .withServerName("localhost"));
            TlsConnection s = TlsConnection.server(raw.right(), server);
            Task<byte[]> client = Curio.spawn(() -> {
                c.handshake();
                c.sendAll(THANKS);
                return c.asStream().readExactly(THANKS.length);
            });
            Task<Void> first = Curio.spawn(s::handshake);
            Timeouts.after(Duration.ofSeconds(20), () -> Curio.awaitFuture(entered));
            first.cancel();                              // the check is still running on its worker thread
            assertTrue(first.exception().orElse(null) instanceof TaskCancelledException,
                    () -> "the waiting server task ended with " + first.exception());
            assertTrue(!s.isHandshakeComplete(), "the handshake finished while the check was held");
            release.complete(null);
            Timeouts.after(Duration.ofSeconds(20), () -> {
                s.handshake();                           // the same handshake goes on
                assertArrayEquals(THANKS, s.asStream().readExactly(THANKS.length));
                s.sendAll(THANKS);
                assertArrayEquals(THANKS, client.join());
            });
            assertEquals("CN=client",
                    ((X509Certificate) s.session().getPeerCertificates()[0]).getSubjectX500Principal().getName());
            c.close();
            s.close();
        });
    }

    /** A server context whose client certificate check signals {@code entered} and waits for {@code release}. */
    private static SSLContext heldClientCheck(CompletableFuture<Void> entered, CompletableFuture<Void> release)
            throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(TlsTesting.only("server.p12", "localhost"), TlsTesting.PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(TlsTesting.store("trust.p12"));
        X509ExtendedTrustManager real = (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
        X509ExtendedTrustManager held = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                entered.complete(null);
                release.orTimeout(30, TimeUnit.SECONDS).join();
                real.checkClientTrusted(chain, authType, engine);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                    throws CertificateException {
                real.checkServerTrusted(chain, authType, engine);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                real.checkClientTrusted(chain, authType, socket);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                    throws CertificateException {
                real.checkServerTrusted(chain, authType, socket);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                real.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                real.checkServerTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return real.getAcceptedIssuers();
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {held}, null);
        return ctx;
    }

    private static SSLContext clientContext() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(TlsTesting.store("client.p12"), TlsTesting.PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(TlsTesting.store("trust.p12"));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }
}
