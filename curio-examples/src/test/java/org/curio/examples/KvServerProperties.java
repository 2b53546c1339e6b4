package org.curio.examples;

import java.time.Duration;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.curio.io.testing.MemoryNetwork;
import org.curio.test.Trial;

/**
 * The key-value server on an in-memory network, end to end: random clients with random scripts,
 * random faults (resets, stalls, ends of stream, cancelled clients), random buffer sizes, chunking and
 * delays, and a random schedule, 1,000 tries. Each try is deterministic: a failure replays from its
 * parameters, and jqwik shrinks it to a minimal failing scenario with its trace.
 */
class KvServerProperties {
    /** Whatever the faults and the schedule, replies match the model, nothing leaks, the server lives on. */
    @Property(tries = 1000)
    void serverKeepsItsPromises(@ForAll("scenarios") KvScenario scenario, @ForAll long seed) {
        Trial.create().perturbed(seed).run(() -> scenario.run(new KvServer()));
    }

    /**
     * The same promises with every connection over TLS (the server unchanged behind a TLS listener),
     * fewer tries as each runs handshakes. Buffers hold at least 1 KiB: with smaller ones a TLS 1.3
     * server sending its session ticket and a client sending its first request at once would both wait
     * to send forever (see TlsConnection's javadoc on buffers full both ways).
     */
    @Property(tries = 100)
    void serverKeepsItsPromisesOverTls(@ForAll("tlsScenarios") KvScenario scenario, @ForAll long seed) {
        Trial.create().perturbed(seed).run(() -> scenario.run(new KvServer(), TLS));
    }

    private static final KvScenario.Tls2 TLS = tls();

    private static KvScenario.Tls2 tls() {
        try {
            java.security.KeyStore keys = TlsCertificates.selfSigned();
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", keys.getCertificate("server"));
            return new KvScenario.Tls2(
                    org.curio.ssl.TlsSettings.server(keys, TlsCertificates.PASSWORD).withInlineDelegatedTasks(true),
                    org.curio.ssl.TlsSettings.client(trust).withServerName("localhost").withInlineDelegatedTasks(true));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the test certificate: " + e, e);
        }
    }

    @Provide
    Arbitrary<KvScenario> scenarios() {
        return scenarios(true);
    }

    @Provide
    Arbitrary<KvScenario> tlsScenarios() {
        return scenarios(true, Arbitraries.integers().between(1024, 65536).shrinkTowards(65536));
    }

    /**
     * {@return scenarios of 1 to 4 clients with up to 8 commands each, and, if {@code withFaults}, up to
     * 3 faults in the first 30 ms}
     */
    static Arbitrary<KvScenario> scenarios(boolean withFaults) {
        return scenarios(withFaults, bufferSizes());
    }

    /** {@return scenarios as {@link #scenarios(boolean)} makes them, with buffers of {@code buffers} bytes} */
    static Arbitrary<KvScenario> scenarios(boolean withFaults, Arbitrary<Integer> buffers) {
        Arbitrary<Integer> key = Arbitraries.integers().between(0, 2);
        Arbitrary<KvScenario.Command> command = Arbitraries.oneOf(
                Combinators.combine(key, Arbitraries.integers().between(0, 9)).as(KvScenario.Set::new),
                key.map(KvScenario.Get::new),
                key.map(KvScenario.Del::new),
                Arbitraries.just(new KvScenario.Incr()));
        Arbitrary<List<List<KvScenario.Command>>> clients = command.list().ofMaxSize(8).list().ofMinSize(1).ofMaxSize(4);
        // Faults name a client by a number taken modulo the number of clients, so that the three parts
        // shrink independently (a flatMap from clients to faults would shrink poorly).
        Arbitrary<KvScenario.Fault> fault = Combinators.combine(
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 30),
                Arbitraries.of(KvScenario.FaultKind.class)).as(KvScenario.Fault::new);
        Arbitrary<List<KvScenario.Fault>> faults = withFaults ? fault.list().ofMaxSize(3) : Arbitraries.just(List.of());
        return Combinators.combine(clients, faults, options(buffers)).as(KvScenario::new);
    }

    /**
     * {@return buffer sizes: tiny (smaller than a reply), small and large, a third of the time each;
     * each shrinks towards its largest value, the setting least likely to matter}
     */
    static Arbitrary<Integer> bufferSizes() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.integers().between(1, 16).shrinkTowards(16)),
                Tuple.of(1, Arbitraries.integers().between(17, 1024).shrinkTowards(1024)),
                Tuple.of(1, Arbitraries.integers().between(1025, 65536).shrinkTowards(65536)));
    }

    /** {@return network options: buffers of 1 byte to 64 KiB, whole or random chunks, up to 5 ms of delay} */
    static Arbitrary<MemoryNetwork.Options> options() {
        return options(bufferSizes());
    }

    private static Arbitrary<MemoryNetwork.Options> options(Arbitrary<Integer> buffers) {
        return Combinators.combine(
                buffers,
                Arbitraries.integers().between(1, 16),
                Arbitraries.longs(),
                Arbitraries.integers().between(0, 5)
        ).as((buffer, chunk, chunkSeed, delayMillis) -> MemoryNetwork.Options.defaults()
                .withBufferSize(buffer)
                .withRandomChunks(chunk, chunkSeed)
                .withDelay(Duration.ofMillis(delayMillis)));
    }
}
