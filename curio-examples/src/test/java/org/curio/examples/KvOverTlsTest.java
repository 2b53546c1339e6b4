package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;

import org.curio.io.ByteStream;
import org.curio.io.Listener;
import org.curio.io.testing.MemoryConnection;
import org.curio.io.testing.MemoryNetwork;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.VirtualClock;
import org.curio.ssl.Tls;
import org.curio.ssl.TlsConnection;
import org.curio.ssl.TlsListener;
import org.curio.ssl.TlsSettings;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;

/**
 * The KV server, unchanged, over TLS on an in-memory network with 1-byte chunks: three clients, each
 * through its own TLS connection, see the replies the protocol promises, and the kernel holds nothing
 * afterwards.
 */
class KvOverTlsTest {
    @Test
    void theKvServerServesTlsClientsUnchanged() throws Exception {
        KeyStore keys = TlsCertificates.selfSigned();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", keys.getCertificate("server"));
        TlsSettings server = TlsSettings.server(keys, TlsCertificates.PASSWORD).withInlineDelegatedTasks(true);
        TlsSettings client = TlsSettings.client(trust).withServerName("localhost").withInlineDelegatedTasks(true);
        Kernel kernel = Kernel.builder().clock(VirtualClock.withAutojumpThreshold(Duration.ofMillis(20))).build();
        try {
            kernel.run(() -> {
                MemoryNetwork network = MemoryNetwork.create(MemoryNetwork.Options.defaults().withChunkSize(1));
                Listener<MemoryConnection> raw = network.listen("kv");
                TlsListener listener = Tls.listener(raw, server);
                Task<Void> serving = Curio.spawn(() -> new KvServer().serve(listener));
                try (TaskGroup<Object> g = TaskGroup.open()) {
                    for (int i = 0; i < 3; i++) {
                        int n = i;
                        g.spawn(() -> {
                            try (TlsConnection c = Tls.connector(network.connector("kv"), client).connect()) {
                                ByteStream s = c.asStream();
                                assertEquals("OK", ask(s, "SET k" + n + " v" + n));
                                assertEquals("VALUE v" + n, ask(s, "GET k" + n));
                                assertEquals("VALUE 1", ask(s, "INCR c" + n));
                                assertEquals("BYE", ask(s, "QUIT"));
                            }
                        });
                    }
                    g.join();
                    if (g.exception().orElse(null) instanceof Exception e) {
                        throw e;
                    }
                }
                serving.cancel();
                return null;
            });
        } finally {
            kernel.close();
        }
        assertEquals(List.of(), kernel.ledger().isEmpty() ? List.of() : List.of(kernel.ledger()));
    }

    private static String ask(ByteStream s, String line) throws Exception {
        s.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        return new String(s.readLine(), StandardCharsets.US_ASCII).strip();
    }
}
