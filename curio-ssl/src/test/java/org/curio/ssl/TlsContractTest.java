package org.curio.ssl;

import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The two-way stream contract, over TLS on TCP and on memory, with both handshakes run (concurrently)
 * before the checks: a lazy handshake cannot let a client's send finish before the server reads, which
 * some checks expect of a stream. The checks run on a virtual clock that jumps to the next deadline once
 * every task has waited 20 ms of real time, so a handshake over a real network here has no timeout
 * (the clock would jump to it while bytes are in flight) and its delegated tasks run inline (on a
 * worker thread, a cold JVM's first key agreement lets the clock jump). The defaults are covered by the
 * tests that run on the real clock.
 */
class TlsContractTest {
    /** TLS 1.3 over TCP on 127.0.0.1, handshakes run before the checks. */
    @TestFactory
    Stream<DynamicNode> overTcp() {
        return Stream.of(DynamicContainer.dynamicContainer("tls 1.3 over tcp",
                TlsTesting.contract(() -> TlsTesting.tcpPair(client(), server()))));
    }

    /** TLS 1.3 over an in-memory pair that moves one byte at a time, handshakes lazy. */
    @TestFactory
    Stream<DynamicNode> overMemoryOneByteChunks() {
        return Stream.of(DynamicContainer.dynamicContainer("tls 1.3 over memory, 1-byte chunks",
                TlsTesting.contract(() -> TlsTesting.memoryHandshaken(client(), server(), 1))));
    }

    private static TlsSettings client() {
        return TlsTesting.client().withInlineDelegatedTasks(true).withHandshakeTimeout(null);
    }

    private static TlsSettings server() {
        return TlsTesting.server().withInlineDelegatedTasks(true).withHandshakeTimeout(null);
    }
}
