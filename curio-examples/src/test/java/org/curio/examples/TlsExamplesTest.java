package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.curio.io.ByteStream;
import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.ssl.Tls;
import org.curio.ssl.TlsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TLS examples: {@link TlsEchoServer} echoes for a JDK TLS client that trusts the self-signed
 * certificate the example makes, and {@link HttpsGet} fetches a page from a local HTTPS server.
 */
class TlsExamplesTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void echoServerWithASelfSignedCertificateAndHttpsGet() throws Exception {
        KeyStore keys = TlsCertificates.selfSigned();
        TlsSettings server = TlsSettings.server(keys, TlsCertificates.PASSWORD);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", keys.getCertificate("server"));
        CompletableFuture<Integer> echoPort = new CompletableFuture<>();
        CompletableFuture<Integer> httpsPort = new CompletableFuture<>();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        Thread servers = Thread.ofPlatform().daemon().start(() -> {
            try {
                Curio.run(() -> {
                    try (TaskGroup<Object> g = TaskGroup.open(TaskGroup.Wait.ANY)) {
                        Socket echo = Network.tcpServerSocket("127.0.0.1", 0);
                        echoPort.complete(((InetSocketAddress) echo.localAddress()).getPort());
                        g.spawn(() -> TlsEchoServer.serve(echo, server));
                        Socket https = Network.tcpServerSocket("127.0.0.1", 0);
                        httpsPort.complete(((InetSocketAddress) https.localAddress()).getPort());
                        g.spawn(() -> Tls.serve(https, server, (client, address) -> {
                            ByteStream s = client.asStream();
                            while (s.readLine().length > 2) {
                                // the request, up to the blank line
                            }
                            s.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n".getBytes(StandardCharsets.US_ASCII));
                        }));
                        g.spawn(() -> {
                            Curio.awaitFuture(stop);
                        });
                        g.join();
                    }
                });
            } catch (Exception e) {
                echoPort.completeExceptionally(e);
            }
        });
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", echoPort.get(30, TimeUnit.SECONDS))) {
                s.getOutputStream().write("hello, tls\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("hello, tls", new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine());
            }
            byte[] reply = HttpsGet.get(URI.create("https://localhost:" + httpsPort.get(30, TimeUnit.SECONDS) + "/"),
                    TlsSettings.client(trust));
            String text = new String(reply, StandardCharsets.US_ASCII);
            assertTrue(text.startsWith("HTTP/1.1 200 OK") && text.endsWith("hello\n"), text);
        } finally {
            stop.complete(null);
            servers.join(10_000);
        }
    }
}
