package org.curio.ssl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.curio.io.Connection;
import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.io.testing.MemoryNetwork;
import org.curio.io.testing.StreamContract;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Ledger;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.VirtualClock;
import org.curio.kernel.VoidBody;
import org.curio.traps.Task;

/**
 * What the TLS tests share: the checked-in test certificates (made once with keytool; see
 * {@code src/test/resources/tls}), settings over them, connected pairs over TCP and over memory, and a
 * harness that checks the kernel ledger, descriptors and engines afterwards. The only file of these
 * tests that names the memory network and the stream contract.
 */
final class TlsTesting {
    static final char[] PASSWORD = "changeit".toCharArray();

    static {
        // The JDK's random source opens /dev/random and /dev/urandom once per JVM; do it before any
        // descriptor count is taken.
        new java.security.SecureRandom().nextBytes(new byte[16]);
        try {
            javax.net.ssl.SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private TlsTesting() {}

    /** {@return the PKCS12 store {@code name} from the test resources} */
    static KeyStore store(String name) {
        try (InputStream in = TlsTesting.class.getResourceAsStream("/tls/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /tls/" + name);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load /tls/" + name + ": " + e, e);
        }
    }

    /** {@return a store holding only the entry {@code alias} of {@code from}} */
    static KeyStore only(String from, String alias) {
        try {
            KeyStore src = store(from);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, PASSWORD);
            ks.setEntry(alias, src.getEntry(alias, new KeyStore.PasswordProtection(PASSWORD)),
                    new KeyStore.PasswordProtection(PASSWORD));
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@return server settings presenting the certificate for localhost and 127.0.0.1} */
    static TlsSettings server() {
        return TlsSettings.server(only("server.p12", "localhost"), PASSWORD);
    }

    /** {@return client settings trusting the test certificates, verifying "localhost"} */
    static TlsSettings client() {
        return TlsSettings.client(store("trust.p12")).withServerName("localhost");
    }

    /** {@return the path of a test resource file, for outside programs} */
    static Path resource(String name) {
        try {
            return Path.of(TlsTesting.class.getResource("/tls/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Two connected in-memory ends, without TLS. */
    record Raw(Connection left, Connection right) {}

    /** {@return a plain in-memory pair with default buffers and no delay} */
    static Raw raw() {
        MemoryNetwork.Pair p = MemoryNetwork.create().pair();
        return new Raw(p.left(), p.right());
    }

    /** {@return a plain in-memory pair with {@code bufferSize}-byte buffers and {@code delay} per transfer} */
    static Raw raw(int bufferSize, Duration delay) {
        MemoryNetwork.Pair p = MemoryNetwork.create(MemoryNetwork.Options.defaults().withBufferSize(bufferSize)
                .withDelay(delay)).pair();
        return new Raw(p.left(), p.right());
    }

    /** {@return a contract pair: TLS over a memory pair with {@code chunk}-byte chunks, handshake lazy} */
    static StreamContract.Pair memoryPair(TlsSettings client, TlsSettings server, int chunk) {
        MemoryNetwork.Pair pair = MemoryNetwork.create(MemoryNetwork.Options.defaults().withBufferSize(64 * 1024)
                .withChunkSize(chunk)).pair();
        return new StreamContract.Pair(TlsConnection.client(pair.left(), client),
                TlsConnection.server(pair.right(), server));
    }

    /** {@return a contract pair: TLS over a memory pair with {@code chunk}-byte chunks, handshakes done} */
    static StreamContract.Pair memoryHandshaken(TlsSettings client, TlsSettings server, int chunk) throws Exception {
        StreamContract.Pair p = memoryPair(client, server, chunk);
        handshakeBoth((TlsConnection) p.left(), (TlsConnection) p.right());
        return p;
    }

    /** Runs both handshakes at once; closes both and throws the first failure. */
    static void handshakeBoth(TlsConnection c, TlsConnection s) throws Exception {
        try (TaskGroup<Object> g = TaskGroup.open()) {
            g.spawn(c::handshake);
            g.spawn(s::handshake);
            g.join();
            if (g.exception().orElse(null) instanceof Exception e) {
                c.close();
                s.close();
                throw e;
            }
        }
        if (!c.isHandshakeComplete() || !s.isHandshakeComplete()) {
            c.close();
            s.close();
            throw new AssertionError("handshakes did not complete: " + c + ", " + s);
        }
    }

    /** {@return two connected TLS ends over a memory pair, as connections} */
    static TlsConnection[] memory(TlsSettings client, TlsSettings server, int chunk) {
        StreamContract.Pair p = memoryPair(client, server, chunk);
        return new TlsConnection[] {(TlsConnection) p.left(), (TlsConnection) p.right()};
    }

    /** {@return a contract pair: TLS over TCP on 127.0.0.1, both handshakes run explicitly} */
    static StreamContract.Pair tcpPair(TlsSettings client, TlsSettings server) throws Exception {
        TlsConnection[] ends = tcp(client, server);
        return new StreamContract.Pair(ends[0], ends[1]);
    }

    /** {@return two connected TLS ends over TCP on 127.0.0.1, handshakes done} */
    static TlsConnection[] tcp(TlsSettings client, TlsSettings server) throws Exception {
        Socket[] raw = rawTcp();
        TlsConnection c = TlsConnection.client(raw[0], client);
        TlsConnection s = TlsConnection.server(raw[1], server);
        handshakeBoth(c, s);
        return new TlsConnection[] {c, s};
    }

    /** {@return a connected TCP pair on 127.0.0.1: client, server} */
    static Socket[] rawTcp() throws Exception {
        try (Socket listener = Network.tcpServerSocket("127.0.0.1", 0)) {
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            Task<Socket> accepted = Curio.spawn(listener::accept);
            Socket client = Network.openConnection("127.0.0.1", port);
            return new Socket[] {client, accepted.join()};
        }
    }

    /** Runs each contract check over {@code factory}, with descriptor and engine checks around it. */
    static Stream<org.junit.jupiter.api.DynamicTest> contract(StreamContract.PairFactory factory) {
        return StreamContract.checks(factory).stream().map(c -> org.junit.jupiter.api.DynamicTest.dynamicTest(c.name(),
                () -> {
                    TreeMap<Integer, String> before = openFds();
                    long engines = TlsConnection.openEngines();
                    c.run();
                    assertNoNewFds(before);
                    assertEquals(engines, TlsConnection.openEngines(), "engines left open");
                }));
    }

    /**
     * Runs {@code body} as the main task of a kernel on a virtual clock, then checks that the kernel
     * holds nothing, no descriptor was left open and no engine is left.
     */
    static void run(VoidBody<?> body) throws Exception {
        TreeMap<Integer, String> before = openFds();
        long engines = TlsConnection.openEngines();
        Kernel kernel = Kernel.builder().clock(VirtualClock.withAutojumpThreshold(Duration.ofMillis(20))).build();
        try {
            kernel.run(() -> {
                body.run();
                Ledger ledger = Curio.kernel().ledger();
                assertTrue(ledger.registrations() == 0 && ledger.futureWaits() == 0,
                        () -> "main task ended while the kernel still held " + ledger);
                return null;
            });
        } finally {
            kernel.close();                                      // a body's failure propagates from here
        }
        assertTrue(kernel.ledger().isEmpty(), () -> "kernel left " + kernel.ledger());
        assertNoNewFds(before);
        assertEquals(engines, TlsConnection.openEngines(), "engines left open");
    }

    /** Runs {@code body} with the real clock, checking the kernel and engines but not descriptors. */
    static void runRealNoFdCheck(VoidBody<?> body) throws Exception {
        long engines = TlsConnection.openEngines();
        Kernel kernel = Kernel.builder().build();
        try {
            kernel.run(() -> {
                body.run();
                return null;
            });
        } finally {
            kernel.close();
        }
        assertTrue(kernel.ledger().isEmpty(), () -> "kernel left " + kernel.ledger());
        assertEquals(engines, TlsConnection.openEngines(), "engines left open");
    }

    /** Runs {@code body} with the real clock (for peers outside the kernel: threads, processes). */
    static void runReal(VoidBody<?> body) throws Exception {
        TreeMap<Integer, String> before = openFds();
        long engines = TlsConnection.openEngines();
        Kernel kernel = Kernel.builder().build();
        try {
            kernel.run(() -> {
                body.run();
                return null;
            });
        } finally {
            kernel.close();                                      // a body's failure propagates from here
        }
        assertTrue(kernel.ledger().isEmpty(), () -> "kernel left " + kernel.ledger());
        assertNoNewFds(before);
        assertEquals(engines, TlsConnection.openEngines(), "engines left open");
    }

    static TreeMap<Integer, String> openFds() throws IOException {
        TreeMap<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                try {
                    fds.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return fds;
    }

    static void assertNoNewFds(TreeMap<Integer, String> before) throws IOException {
        TreeMap<Integer, String> after = newFds(before);
        // A peer on a plain thread (the JDK's SSLSocket, a process) closes its end on its own time:
        // give it a bounded moment before calling its descriptor ours.
        for (int i = 0; i < 100 && !after.isEmpty(); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            after = newFds(before);
        }
        TreeMap<Integer, String> left = after;
        assertTrue(left.isEmpty(), () -> "descriptors left open: " + left);
    }

    private static TreeMap<Integer, String> newFds(TreeMap<Integer, String> before) throws IOException {
        TreeMap<Integer, String> after = openFds();
        after.keySet().removeAll(before.keySet());
        after.values().removeIf(t -> t.contains(".jar") || t.startsWith("anon_inode") || t.contains("/proc/"));
        return after;
    }
}
