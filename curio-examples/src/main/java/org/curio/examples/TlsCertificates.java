package org.curio.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keys and certificates for the TLS examples: PEM files as {@code openssl} writes them, or a fresh
 * self-signed certificate for {@code localhost} and {@code 127.0.0.1} made with the {@code keytool} of
 * the running JDK (no library beyond the JDK needed, and no private key shipped with the examples).
 */
final class TlsCertificates {
    static final char[] PASSWORD = "curio-example".toCharArray();

    private TlsCertificates() {}

    /**
     * {@return a key store with the key of {@code keyPem} (PKCS#8, {@code BEGIN PRIVATE KEY}) and the
     * chain of {@code certPem}}
     *
     * @param certPem the certificate chain, PEM
     * @param keyPem  the private key, PEM (unencrypted PKCS#8: {@code openssl pkey -in k -out k8})
     * @throws IOException              if a file cannot be read
     * @throws GeneralSecurityException if they are not a certificate and a matching key
     */
    static KeyStore fromPem(Path certPem, Path keyPem) throws IOException, GeneralSecurityException {
        List<Certificate> chain = new ArrayList<>();
        try (InputStream in = Files.newInputStream(certPem)) {
            chain.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + certPem);
        }
        String pem = Files.readString(keyPem, StandardCharsets.US_ASCII);
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new GeneralSecurityException(keyPem + " is not an unencrypted PKCS#8 key (BEGIN PRIVATE KEY);"
                    + " convert it with: openssl pkey -in " + keyPem + " -out key-pkcs8.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        String algorithm = chain.getFirst().getPublicKey().getAlgorithm();
        PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, PASSWORD);
        ks.setKeyEntry("server", key, PASSWORD, chain.toArray(Certificate[]::new));
        return ks;
    }

    /**
     * {@return a key store with a new self-signed EC certificate for localhost and 127.0.0.1} Runs the
     * JDK's {@code keytool}; takes a second or so.
     *
     * @throws IOException if keytool cannot be run or fails
     * @throws GeneralSecurityException if its output cannot be loaded
     */
    static KeyStore selfSigned() throws IOException, GeneralSecurityException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path dir = Files.createTempDirectory("curio-tls");
        Path store = dir.resolve("self-signed.p12");
        try {
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-keyalg", "EC", "-groupname",
                    "secp256r1", "-alias", "server", "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1",
                    "-validity", "30", "-keystore", store.toString(), "-storetype", "PKCS12",
                    "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed to make a self-signed certificate: " + out.strip());
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASSWORD);
            }
            return ks;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        } finally {
            Files.deleteIfExists(store);
            Files.deleteIfExists(dir);
        }
    }

    /** {@return the PEM text of {@code cert}} */
    static String pem(Certificate cert) throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    }
}
