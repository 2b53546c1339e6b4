package org.curio.examples;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

import org.curio.io.ByteStream;
import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.ssl.Tls;
import org.curio.ssl.TlsSettings;

/**
 * The echo server with TLS: {@link TcpServerEcho} plus one line, the {@link TlsSettings} given to
 * {@link Tls#serve}. With no certificate given it makes a self-signed one for {@code localhost} at
 * start (with the JDK's {@code keytool}) and writes it, PEM, to {@code tls-echo-cert.pem} in the
 * working directory so clients can trust it. Each client's handshake runs in its own task and must
 * finish within 10 s.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.TlsEchoServer 25443
 * openssl s_client -connect 127.0.0.1:25443 -CAfile tls-echo-cert.pem -servername localhost
 * </pre>
 */
public final class TlsEchoServer {
    private TlsEchoServer() {}

    /**
     * Serves echo over TLS.
     *
     * @param args the port (0 for any free one), then optionally a PEM certificate chain and its PEM
     *             (PKCS#8) private key
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 25443;
        KeyStore keys;
        if (args.length >= 3) {
            keys = TlsCertificates.fromPem(Path.of(args[1]), Path.of(args[2]));
        } else {
            keys = TlsCertificates.selfSigned();
            Path pem = Path.of("tls-echo-cert.pem");
            Files.writeString(pem, TlsCertificates.pem(keys.getCertificate("server")));
            System.out.println("Self-signed certificate for localhost written to " + pem.toAbsolutePath());
        }
        TlsSettings settings = TlsSettings.server(keys, TlsCertificates.PASSWORD);
        Curio.run(() -> {
            Socket listening = Network.tcpServerSocket("127.0.0.1", port);
            System.out.println("TLS server listening at " + (InetSocketAddress) listening.localAddress());
            System.out.flush();
            serve(listening, settings);
        });
    }

    /**
     * Suspends the calling task while it serves echo over TLS on {@code listening}, until cancelled.
     *
     * @param listening a listening socket, owned by the server from now on
     * @param settings  server settings
     * @throws Exception if accepting fails for good
     */
    static void serve(Socket listening, TlsSettings settings) throws Exception {
        Tls.serve(listening, settings, (client, address) -> {
            ByteStream stream = client.asStream();
            stream.forEachLine(stream::write);
        });
    }
}
