package org.curio.ssl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.curio.io.ByteStream;
import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS against peers written elsewhere, on the real clock with the default settings (delegated tasks on
 * worker threads): the JDK's blocking {@link SSLSocket} on a platform thread, and the {@code openssl}
 * and {@code curl} commands, including KeyUpdate and renegotiation started from openssl's side. Every
 * program started is bounded by a timeout and killed by its process id.
 */
class TlsInteropTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void curioClientAgainstJdkSslServerSocket(String version) throws Exception {
        javax.net.ssl.SSLContext ctx = TlsTesting.server().context();
        try (SSLServerSocket listener = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            listener.setEnabledProtocols(new String[] {version});
            CompletableFuture<String> peer = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                String protocol;
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout((int) BOUND.toMillis());
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    OutputStream out = s.getOutputStream();
                    String line;
                    while ((line = in.readLine()) != null) {
                        out.write(ascii(line.toUpperCase() + "\n"));
                        out.flush();
                        if (line.equals("rekey")) {
                            s.startHandshake();                  // KeyUpdate on 1.3, renegotiation on 1.2
                        }
                    }
                    protocol = s.getSession().getProtocol();
                } catch (IOException e) {
                    peer.completeExceptionally(e);
                    return;
                }
                peer.complete(protocol);                         // once its descriptor is closed
            });
            TlsTesting.runReal(() -> {
                try (TlsConnection tls = Tls.openConnection("localhost", listener.getLocalPort(),
                        TlsTesting.client())) {
                    ByteStream stream = tls.asStream();
                    for (String word : List.of("hello", "rekey", "after", "again")) {
                        stream.write(ascii(word + "\n"));
                        assertArrayEquals(ascii(word.toUpperCase() + "\n"), stream.readLine());
                        if (word.equals("after")) {
                            tls.rehandshake();
                        }
                    }
                    tls.shutdownOutput();
                    assertEquals(0, stream.readLine().length);
                }
                Timeouts.after(BOUND, () -> Curio.awaitFuture(peer));   // the peer's socket closed before fds are counted
            });
            assertEquals(version, peer.get(BOUND.toSeconds(), TimeUnit.SECONDS));
            t.join(BOUND.toMillis());
        }
    }

    @Test
    void jdkSslSocketAgainstCurioServer() throws Exception {
        // The JDK's client socket lives in this process and closes its descriptor on its own schedule,
        // so this test checks that our side's transport is closed rather than counting descriptors.
        TlsConnection[] accepted = new TlsConnection[1];
        TlsTesting.runRealNoFdCheck(() -> {
            try (Socket listening = Network.tcpServerSocket("127.0.0.1", 0)) {
                int port = ((InetSocketAddress) listening.localAddress()).getPort();
                TlsListener listener = Tls.listener(listening, TlsTesting.server());
                Task<Void> server = Curio.spawn(() -> {
                    try (TlsConnection c = listener.accept()) {
                        accepted[0] = c;
                        ByteStream s = c.asStream();
                        s.forEachLine(s::write);
                    }
                });
                CompletableFuture<String> client = CompletableFuture.supplyAsync(() -> {
                    try (SSLSocket s = (SSLSocket) TlsTesting.client().context().getSocketFactory()
                            .createSocket("127.0.0.1", port)) {
                        s.setSoTimeout((int) BOUND.toMillis());
                        s.getOutputStream().write(ascii("one\ntwo\n"));
                        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                                StandardCharsets.US_ASCII));
                        String first = in.readLine();
                        s.startHandshake();
                        s.getOutputStream().write(ascii("three\n"));
                        return first + in.readLine() + in.readLine();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, r -> Thread.ofPlatform().daemon().start(r));
                assertEquals("onetwothree", Curio.awaitFuture(client));
                Timeouts.after(BOUND, server::join);
            }
        });
        assertTrue(!accepted[0].transport().isOpen(), "the accepted transport is still open");
    }

    /** Runs {@code command}, bounded; returns its output. */
    private static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static boolean available(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls1_3", "tls1_2"})
    void openSslClientAgainstCurioEchoServerWithKeyUpdateAndRenegotiation(String version) throws Exception {
        assumeTrue(available("openssl"), "the openssl command is not installed (.ci/run installs it)");
        TlsTesting.runReal(() -> {
            try (Socket listening = Network.tcpServerSocket("127.0.0.1", 0)) {
                int port = ((InetSocketAddress) listening.localAddress()).getPort();
                TlsListener listener = Tls.listener(listening, TlsTesting.server());
                Task<Void> server = Curio.spawn(() -> {
                    try (TlsConnection c = listener.accept()) {
                        ByteStream s = c.asStream();
                        s.forEachLine(s::write);
                    }
                });
                // TLS 1.3: a KeyUpdate from openssl's side. TLS 1.2: a renegotiation started by s_client,
                // which the server completes while its task waits to read (-state shows each handshake end).
                String rekey = version.equals("tls1_3") ? "K" : "R";
                Process p = start(List.of("sh", "-c", "(echo alpha; sleep 0.5; echo " + rekey + "; sleep 0.5;"
                        + " echo beta; sleep 1) | timeout 6 openssl s_client -" + version + " -connect 127.0.0.1:" + port
                        + " -servername localhost -CAfile " + TlsTesting.resource("localhost.crt")
                        + " -verify_return_error -state"));
                try {
                    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()),
                            r -> Thread.ofPlatform().daemon().start(r));
                    String text = Curio.awaitFuture(out);
                    assertTrue(text.contains("Verify return code: 0 (ok)"), text);
                    assertTrue(text.contains("alpha") && text.contains("beta"), text);
                    assertTrue(!version.equals("tls1_3") || text.contains("KEYUPDATE"), text);
                    assertTrue(!version.equals("tls1_2") || text.contains("RENEGOTIATING"), text);
                    assertTrue(!version.equals("tls1_2")
                            || text.substring(text.indexOf("RENEGOTIATING")).contains("SSLv3/TLS read finished"),
                            "the renegotiation did not finish: " + text);
                    int echoes = text.split("\nbeta\n", -1).length - 1 + (text.endsWith("beta\n") ? 0 : 0);
                    assertTrue(echoes >= 1, text);
                } finally {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
                Timeouts.after(BOUND, server::join);
            }
        });
    }

    @Test
    void curioClientAgainstOpenSslServer() throws Exception {
        assumeTrue(available("openssl"), "the openssl command is not installed (.ci/run installs it)");
        Process p = start(List.of("openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-rev",
                "-cert", TlsTesting.resource("localhost.crt").toString(),
                "-key", TlsTesting.resource("localhost.key").toString()));
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            int port = -1;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("ACCEPT ")) {
                    port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
                    break;
                }
            }
            assertTrue(port > 0, "openssl s_server did not say where it listens");
            int at = port;
            TlsTesting.runReal(() -> {
                try (TlsConnection tls = Tls.openConnection("localhost", at, TlsTesting.client())) {
                    ByteStream s = tls.asStream();
                    s.write(ascii("stressed\n"));
                    assertArrayEquals(ascii("desserts\n"), readNonEmptyLine(s));
                    tls.rehandshake();                            // a KeyUpdate from our side
                    s.write(ascii("drawer\n"));
                    assertArrayEquals(ascii("reward\n"), readNonEmptyLine(s));
                }
            });
        } finally {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static byte[] readNonEmptyLine(ByteStream s) throws Exception {
        while (true) {
            byte[] line = s.readLine();
            String text = new String(line, StandardCharsets.US_ASCII);
            if (line.length == 0 || (!text.isBlank() && !text.startsWith("FIRST") && !text.startsWith("CONNECTION"))) {
                return line;
            }
        }
    }

    @Test
    void curlGetsAPageFromACurioHttpsServer() throws Exception {
        assumeTrue(available("curl"), "the curl command is not installed");
        TlsTesting.runReal(() -> {
            try (Socket listening = Network.tcpServerSocket("127.0.0.1", 0)) {
                int port = ((InetSocketAddress) listening.localAddress()).getPort();
                TlsListener listener = Tls.listener(listening, TlsTesting.server().withAlpn("http/1.1"));
                Task<Void> server = Curio.spawn(() -> {
                    try (TlsConnection c = listener.accept()) {
                        ByteStream s = c.asStream();
                        while (s.readLine().length > 2) {
                            // request line and headers, up to the blank line
                        }
                        s.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nhello, curl\n"));
                    }
                });
                Process p = start(List.of("curl", "-sS", "--max-time", "15", "--cacert",
                        TlsTesting.resource("localhost.crt").toString(), "https://localhost:" + port + "/"));
                try {
                    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()),
                            r -> Thread.ofPlatform().daemon().start(r));
                    assertEquals("hello, curl\n", Curio.awaitFuture(out));
                } finally {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
                Timeouts.after(BOUND, server::join);
            }
        });
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

}
