package org.curio.ssl.internal;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

import org.jspecify.annotations.Nullable;

/**
 * A key manager that presents the certificate named for the host a client asks for in its SNI
 * extension, and otherwise lets the JDK's key manager choose.
 */
public final class SniKeyManager extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager delegate;
    private final Map<String, String> aliasByHost;   // lower-case host name -> key alias

    /**
     * Wraps {@code delegate}.
     *
     * @param delegate    the JDK's key manager over the store that holds every alias
     * @param aliasByHost host name to key alias
     */
    public SniKeyManager(X509ExtendedKeyManager delegate, Map<String, String> aliasByHost) {
        this.delegate = delegate;
        this.aliasByHost = aliasByHost.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue));
    }

    @Override
    public @Nullable String chooseEngineServerAlias(String keyType, Principal @Nullable [] issuers,
            @Nullable SSLEngine engine) {
        if (engine != null && engine.getHandshakeSession() instanceof ExtendedSSLSession session) {
            for (SNIServerName name : session.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    String alias = aliasByHost.get(host.getAsciiName().toLowerCase(Locale.ROOT));
                    if (alias != null && matchesKeyType(alias, keyType)) {
                        return alias;
                    }
                }
            }
        }
        return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    private boolean matchesKeyType(String alias, String keyType) {
        PrivateKey key = delegate.getPrivateKey(alias);
        return key != null && key.getAlgorithm().equalsIgnoreCase(keyType);
    }

    @Override
    public String @Nullable [] getClientAliases(String keyType, Principal @Nullable [] issuers) {
        return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public @Nullable String chooseClientAlias(String[] keyType, Principal @Nullable [] issuers,
            @Nullable Socket socket) {
        return delegate.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public @Nullable String chooseEngineClientAlias(String[] keyType, Principal @Nullable [] issuers,
            @Nullable SSLEngine engine) {
        return delegate.chooseEngineClientAlias(keyType, issuers, engine);
    }

    @Override
    public String @Nullable [] getServerAliases(String keyType, Principal @Nullable [] issuers) {
        return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public @Nullable String chooseServerAlias(String keyType, Principal @Nullable [] issuers,
            @Nullable Socket socket) {
        return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate @Nullable [] getCertificateChain(String alias) {
        return delegate.getCertificateChain(alias);
    }

    @Override
    public @Nullable PrivateKey getPrivateKey(String alias) {
        return delegate.getPrivateKey(alias);
    }

    /** {@return the host names this manager knows, for messages} */
    public List<String> hosts() {
        return List.copyOf(aliasByHost.keySet());
    }

}
