package org.curio.ssl;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

import org.curio.ssl.internal.SniKeyManager;
import org.jspecify.annotations.Nullable;

/**
 * How one side of a TLS connection behaves: the JDK {@link SSLContext} that holds its keys and trusted
 * certificates, and the choices curio's {@code ssl=}, {@code server_hostname=} and
 * {@code alpn_protocols=} arguments make. Values are immutable; each {@code withX} method returns a
 * copy.
 *
 * {@snippet :
 * TlsSettings client = TlsSettings.client().withAlpn("h2", "http/1.1");     // JDK trust store, verifies host
 * TlsSettings server = TlsSettings.server(keyStore, password).withAlpn("http/1.1");
 * }
 *
 * <p><b>Defaults</b> (after Netty's {@code SslHandler} and Trio's {@code SSLStream}): TLS 1.3 and 1.2
 * as the JDK enables them; a client sends SNI and verifies the server's host name against its
 * certificate (there is no silent way to turn verification off, only
 * {@link #withoutHostnameVerificationInsecure()}); a handshake must finish within
 * {@link #DEFAULT_HANDSHAKE_TIMEOUT}; {@link TlsConnection#close()} gives close_notify
 * {@link #DEFAULT_CLOSE_TIMEOUT} to go out; a transport end of stream without close_notify (a ragged
 * EOF) is an error; delegated engine tasks (certificate checks, key generation) run on a small pool of
 * worker threads, never on the kernel thread.
 */
public final class TlsSettings {
    /** How long a handshake may take by default: 10 seconds. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** How long close_notify may take to go out by default: 3 seconds (Netty's figure). */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(3);

    /** Whether a server asks for client certificates. */
    public enum ClientAuth {
        /** No client certificate is asked for. */
        NONE,
        /** A client certificate is asked for; a client without one is still accepted. */
        WANT,
        /** A client certificate is required; a client without one fails the handshake. */
        NEED
    }

    private final SSLContext context;
    private final boolean client;
    private final @Nullable String serverName;
    private final boolean verifyHostname;
    private final List<String> alpn;
    private final @Nullable Duration handshakeTimeout;
    private final Duration closeTimeout;
    private final boolean raggedEofIsEndOfStream;
    private final boolean inlineDelegatedTasks;
    private final List<String> protocols;
    private final List<String> cipherSuites;
    private final ClientAuth clientAuth;

    private TlsSettings(Builder b) {
        this.context = b.context;
        this.client = b.client;
        this.serverName = b.serverName;
        this.verifyHostname = b.verifyHostname;
        this.alpn = List.copyOf(b.alpn);
        this.handshakeTimeout = b.handshakeTimeout;
        this.closeTimeout = b.closeTimeout;
        this.raggedEofIsEndOfStream = b.raggedEofIsEndOfStream;
        this.inlineDelegatedTasks = b.inlineDelegatedTasks;
        this.protocols = List.copyOf(b.protocols);
        this.cipherSuites = List.copyOf(b.cipherSuites);
        this.clientAuth = b.clientAuth;
    }

    /**
     * {@return client settings that trust the JDK's default certificate authorities}
     *
     * @throws IllegalStateException if the JDK has no default TLS context
     */
    public static TlsSettings client() {
        try {
            return client(SSLContext.getDefault());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no default SSLContext: " + e.getMessage(), e);
        }
    }

    /**
     * {@return client settings over {@code context}, which holds the trusted certificates (and a client
     * certificate, if the server asks for one)}
     *
     * @param context an initialised JDK context
     */
    public static TlsSettings client(SSLContext context) {
        Builder b = new Builder(Objects.requireNonNull(context, "context"), true);
        return new TlsSettings(b);
    }

    /**
     * {@return client settings that trust exactly the certificates in {@code trustStore}}
     *
     * @param trustStore the trusted certificates
     * @throws IllegalArgumentException if the store cannot be used
     */
    public static TlsSettings client(KeyStore trustStore) {
        return client(context(null, null, Objects.requireNonNull(trustStore, "trustStore"), Map.of()));
    }

    /**
     * {@return server settings over {@code context}, which holds the server's key and certificate}
     *
     * @param context an initialised JDK context with a key manager
     */
    public static TlsSettings server(SSLContext context) {
        return new TlsSettings(new Builder(Objects.requireNonNull(context, "context"), false));
    }

    /**
     * {@return server settings presenting the key and certificate of {@code keyStore}} With several
     * entries, the JDK picks one that suits the client; {@link #server(KeyStore, char[], Map)} picks
     * by the host name the client asks for.
     *
     * @param keyStore the server's key entries
     * @param password the password of the store and its keys
     * @throws IllegalArgumentException if the store cannot be used
     */
    public static TlsSettings server(KeyStore keyStore, char[] password) {
        return server(keyStore, password, Map.of());
    }

    /**
     * {@return server settings that choose the certificate by the host name the client sends (SNI)}
     * A client that asks for a host name in {@code aliasBySniHost} gets that entry of
     * {@code keyStore}; any other client gets the store's default choice.
     *
     * @param keyStore       the server's key entries
     * @param password       the password of the store and its keys
     * @param aliasBySniHost host name (case-insensitive) to key alias
     * @throws IllegalArgumentException if the store cannot be used or an alias is missing from it
     */
    public static TlsSettings server(KeyStore keyStore, char[] password, Map<String, String> aliasBySniHost) {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(aliasBySniHost, "aliasBySniHost");
        for (String alias : aliasBySniHost.values()) {
            try {
                if (!keyStore.isKeyEntry(alias)) {
                    throw new IllegalArgumentException("no key entry named '" + alias + "' in the key store; it has "
                            + java.util.Collections.list(keyStore.aliases()));
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("the key store is not loaded: " + e.getMessage(), e);
            }
        }
        return server(context(keyStore, password, null, aliasBySniHost));
    }

    /**
     * {@return server settings with these key entries that also trust {@code trustStore}'s certificates
     * for client certificates} Combine with {@link #withClientAuth(ClientAuth)}.
     *
     * @param keyStore   the server's key entries
     * @param password   the password of the store and its keys
     * @param trustStore the certificates client certificates must chain to
     */
    public static TlsSettings server(KeyStore keyStore, char[] password, KeyStore trustStore) {
        return server(context(Objects.requireNonNull(keyStore, "keyStore"), Objects.requireNonNull(password,
                "password"), Objects.requireNonNull(trustStore, "trustStore"), Map.of()));
    }

    /**
     * {@return a JDK context over the given stores; {@code null} stores take the JDK's defaults}
     *
     * @param keyStore       key entries to present, or {@code null}
     * @param password       their password, or {@code null}
     * @param trustStore     trusted certificates, or {@code null}
     * @param aliasBySniHost host name to key alias
     */
    private static SSLContext context(@Nullable KeyStore keyStore, char @Nullable [] password,
            @Nullable KeyStore trustStore, Map<String, String> aliasBySniHost) {
        try {
            javax.net.ssl.KeyManager[] keys = null;
            if (keyStore != null) {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore, password);
                keys = kmf.getKeyManagers();
                if (!aliasBySniHost.isEmpty()) {
                    keys = new javax.net.ssl.KeyManager[] {
                        new SniKeyManager((X509ExtendedKeyManager) keys[0], aliasBySniHost)};
                }
            }
            javax.net.ssl.TrustManager[] trust = null;
            if (trustStore != null) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trustStore);
                trust = tmf.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot build a TLS context from the key store: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ withers

    /**
     * {@return a copy whose client sends {@code host} as SNI and checks the server's certificate against
     * it} {@link Tls#openConnection(String, int, TlsSettings)} sets it from its host when unset.
     *
     * @param host the server's host name (or IP literal, which is verified but not sent as SNI)
     */
    public TlsSettings withServerName(String host) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("server name must not be blank: '" + host + "'");
        }
        Builder b = builder();
        b.serverName = host;
        return new TlsSettings(b);
    }

    /**
     * {@return a copy whose client does not check that the server's certificate names the host it
     * connected to} The certificate chain is still checked against the trusted certificates. Anyone
     * holding any trusted certificate can then impersonate the server: use it for tests only.
     */
    public TlsSettings withoutHostnameVerificationInsecure() {
        Builder b = builder();
        b.verifyHostname = false;
        return new TlsSettings(b);
    }

    /**
     * {@return a copy with these ALPN protocols} A client offers them; a server picks the first of its
     * list that the client offered, and fails the handshake with {@code no_application_protocol} if
     * there is none (RFC 7301). An empty list turns ALPN off.
     *
     * @param protocols protocol names in order of preference, such as {@code "h2"}, {@code "http/1.1"}
     */
    public TlsSettings withAlpn(String... protocols) {
        Builder b = builder();
        b.alpn = List.of(protocols);
        return new TlsSettings(b);
    }

    /**
     * {@return a copy whose handshakes fail with {@link javax.net.ssl.SSLHandshakeException} if they
     * take longer than {@code timeout}} {@code null} waits for ever.
     *
     * @param timeout positive, or {@code null}
     */
    public TlsSettings withHandshakeTimeout(@Nullable Duration timeout) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("handshake timeout must be positive (or null for none): " + timeout);
        }
        Builder b = builder();
        b.handshakeTimeout = timeout;
        return new TlsSettings(b);
    }

    /**
     * {@return a copy that gives close_notify {@code timeout} to go out before the transport closes}
     *
     * @param timeout not negative
     */
    public TlsSettings withCloseTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("close timeout must not be negative: " + timeout);
        }
        Builder b = builder();
        b.closeTimeout = timeout;
        return new TlsSettings(b);
    }

    /**
     * {@return a copy that reads a transport end of stream without close_notify (a "ragged EOF") as a
     * plain end of stream instead of an error} HTTPS peers commonly close this way and HTTP frames its
     * own messages; for other protocols a ragged EOF may be a truncation attack.
     *
     * @param allowed whether a ragged EOF is an end of stream
     */
    public TlsSettings withRaggedEofAsEndOfStream(boolean allowed) {
        Builder b = builder();
        b.raggedEofIsEndOfStream = allowed;
        return new TlsSettings(b);
    }

    /**
     * {@return a copy that runs the engine's delegated tasks on the calling task's thread} They may
     * block (a certificate revocation check) and stall every task of the kernel meanwhile; the default
     * runs them on a worker thread.
     *
     * @param inline whether delegated tasks run inline
     */
    public TlsSettings withInlineDelegatedTasks(boolean inline) {
        Builder b = builder();
        b.inlineDelegatedTasks = inline;
        return new TlsSettings(b);
    }

    /**
     * {@return a copy that enables only these protocol versions} such as {@code "TLSv1.3"}
     *
     * @param versions JDK protocol names
     */
    public TlsSettings withProtocols(String... versions) {
        Builder b = builder();
        b.protocols = List.of(versions);
        return new TlsSettings(b);
    }

    /**
     * {@return a copy that enables only these cipher suites}
     *
     * @param suites JDK cipher suite names
     */
    public TlsSettings withCipherSuites(String... suites) {
        Builder b = builder();
        b.cipherSuites = List.of(suites);
        return new TlsSettings(b);
    }

    /**
     * {@return a copy whose server asks for client certificates as {@code auth} says}
     *
     * @param auth whether to ask, and whether to insist
     */
    public TlsSettings withClientAuth(ClientAuth auth) {
        Builder b = builder();
        b.clientAuth = Objects.requireNonNull(auth, "auth");
        return new TlsSettings(b);
    }

    // ------------------------------------------------------------------ accessors

    /** {@return the JDK context} */
    public SSLContext context() {
        return context;
    }

    /** {@return whether these are client settings} */
    public boolean isClient() {
        return client;
    }

    /** {@return the host name a client sends and verifies} */
    public Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    /** {@return whether a client verifies the server's host name} */
    public boolean verifiesHostname() {
        return verifyHostname;
    }

    /** {@return the ALPN protocols, in order of preference} */
    public List<String> alpn() {
        return alpn;
    }

    /** {@return the handshake timeout; empty if handshakes may wait for ever} */
    public Optional<Duration> handshakeTimeout() {
        return Optional.ofNullable(handshakeTimeout);
    }

    /** {@return how long close_notify may take to go out} */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** {@return whether a ragged EOF reads as end of stream rather than an error} */
    public boolean raggedEofIsEndOfStream() {
        return raggedEofIsEndOfStream;
    }

    /** {@return whether delegated tasks run on the calling task's thread} */
    public boolean inlineDelegatedTasks() {
        return inlineDelegatedTasks;
    }

    /** {@return the enabled protocol versions; empty for the JDK's defaults} */
    public List<String> protocols() {
        return protocols;
    }

    /** {@return the enabled cipher suites; empty for the JDK's defaults} */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /** {@return whether a server asks for client certificates} */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    @Override
    public String toString() {
        return "TlsSettings[" + (client ? "client" : "server") + (serverName == null ? "" : ", " + serverName)
                + (verifyHostname ? "" : ", NO HOSTNAME VERIFICATION") + (alpn.isEmpty() ? "" : ", alpn=" + alpn)
                + (protocols.isEmpty() ? "" : ", " + protocols) + "]";
    }

    private Builder builder() {
        Builder b = new Builder(context, client);
        b.serverName = serverName;
        b.verifyHostname = verifyHostname;
        b.alpn = alpn;
        b.handshakeTimeout = handshakeTimeout;
        b.closeTimeout = closeTimeout;
        b.raggedEofIsEndOfStream = raggedEofIsEndOfStream;
        b.inlineDelegatedTasks = inlineDelegatedTasks;
        b.protocols = protocols;
        b.cipherSuites = cipherSuites;
        b.clientAuth = clientAuth;
        return b;
    }

    /** The mutable state a copy starts from. */
    private static final class Builder {
        final SSLContext context;
        final boolean client;
        @Nullable String serverName;
        boolean verifyHostname = true;
        List<String> alpn = List.of();
        @Nullable Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        boolean raggedEofIsEndOfStream;
        boolean inlineDelegatedTasks;
        List<String> protocols = List.of();
        List<String> cipherSuites = List.of();
        ClientAuth clientAuth = ClientAuth.NONE;

        Builder(SSLContext context, boolean client) {
            this.context = context;
            this.client = client;
        }
    }
}
