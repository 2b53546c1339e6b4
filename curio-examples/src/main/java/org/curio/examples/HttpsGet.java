package org.curio.examples;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

import org.curio.io.ByteStream;
import org.curio.kernel.Curio;
import org.curio.ssl.Tls;
import org.curio.ssl.TlsConnection;
import org.curio.ssl.TlsSettings;

/**
 * HTTPS GET as a client does it, curio's {@code open_connection(host, port, ssl=True,
 * server_hostname=host)}: the host name goes out as SNI and the server's certificate must name it;
 * ALPN offers {@code http/1.1}; the reply is read to the end, and since HTTPS servers often hang up
 * without close_notify, a ragged EOF counts as the end here (HTTP frames its own messages).
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.HttpsGet \
 *     https://localhost:25443/ tls-echo-cert.pem
 * </pre>
 */
public final class HttpsGet {
    private HttpsGet() {}

    /**
     * Fetches a URL and prints the reply (status line, headers and body).
     *
     * @param args the {@code https} URL, then optionally a PEM certificate to trust instead of the JDK's
     *             certificate authorities
     * @throws Exception if the request fails
     */
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args.length > 0 ? args[0] : "https://localhost:25443/");
        TlsSettings settings = args.length > 1 ? TlsSettings.client(trusting(Path.of(args[1]))) : TlsSettings.client();
        System.out.print(new String(get(uri, settings), StandardCharsets.UTF_8));
    }

    /**
     * Suspends the calling task until the whole reply to a GET of {@code uri} has arrived.
     *
     * @param uri      an {@code https} URL
     * @param settings client settings
     * @return the reply: status line, headers and body
     * @throws Exception if connecting, the handshake or the transfer fails
     */
    static byte[] get(URI uri, TlsSettings settings) throws Exception {
        if (!"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("not an https URL: " + uri);
        }
        int port = uri.getPort() < 0 ? 443 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return Curio.run(() -> {
            try (TlsConnection tls = Tls.openConnection(uri.getHost(), port,
                    settings.withAlpn("http/1.1").withRaggedEofAsEndOfStream(true))) {
                ByteStream stream = tls.asStream();
                stream.write(("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nConnection: close\r\n"
                        + "User-Agent: curio-java\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                return stream.readAllAtMost(16 << 20);
            }
        });
    }

    private static KeyStore trusting(Path pem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("trusted-" + i++, c);
            }
        }
        return ks;
    }
}
