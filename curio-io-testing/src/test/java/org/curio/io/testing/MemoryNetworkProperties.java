package org.curio.io.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.curio.io.ByteStream;
import org.curio.io.testing.MemoryNetwork.Options;
import org.curio.io.testing.MemoryNetwork.Pair;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.test.Trace;
import org.curio.test.Trial;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;

/**
 * Conservation of bytes over memory connections under random buffer sizes, chunking and delays, with
 * random timeouts on the writer and random timeouts and cancellations of the reader: at every point
 * the bytes received plus those in flight equal the bytes sent, in order, and draining the rest gives
 * exactly the stream that was sent. Each try runs twice as a {@link Trial}, on a schedule perturbed by
 * a drawn seed, and must give the same kernel trace and the same events both times (determinism); each
 * run has a real-time limit and must leave nothing behind.
 */
class MemoryNetworkProperties {
    /** Real time allowed for each run of a try. */
    private static final Duration WATCHDOG = Duration.ofSeconds(Long.getLong("curio.watchdog.seconds", 10));

    /** A connection's settings: chunking 0 = unlimited, 1 = fixed, 2 = random (seeded). */
    record Config(int bufferSize, int chunking, int chunkSize, long seed, int delayMicros) {
        Options options() {
            Options o = Options.defaults().withBufferSize(bufferSize).withDelay(Duration.ofNanos(delayMicros * 1000L));
            return switch (chunking) {
                case 1 -> o.withChunkSize(chunkSize);
                case 2 -> o.withRandomChunks(chunkSize, seed);
                default -> o;
            };
        }
    }

    /** A sendAll of {@code size} bytes, abandoned after {@code patienceMicros}. */
    record Write(int size, int patienceMicros) {}

    /**
     * A read of at most {@code size} bytes, cut off after {@code patienceMicros}: 0 recvInto under a
     * timeout, 1 recv in a task that is then cancelled, 2 readExactly under a timeout, 3 readLine
     * under a timeout.
     */
    record Read(int size, int patienceMicros, int how) {}

    @Provide
    Arbitrary<Config> configs() {
        return Combinators.combine(Arbitraries.integers().between(1, 128), Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(1, 50), Arbitraries.longs(),
                Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, 2_000))).as(Config::new);
    }

    @Provide
    Arbitrary<Write> writes() {
        return Combinators.combine(Arbitraries.integers().between(1, 300), Arbitraries.integers().between(0, 3_000))
                .as(Write::new);
    }

    @Provide
    Arbitrary<Read> reads() {
        return Combinators.combine(Arbitraries.integers().between(1, 200), Arbitraries.integers().between(0, 3_000),
                Arbitraries.integers().between(0, 3)).as(Read::new);
    }

    /** The byte at stream offset {@code k}: a pattern in which a lost or repeated stretch shows. */
    static byte pattern(long k) {
        return (byte) ((k * 0x9E3779B97F4A7C15L) >>> 56);
    }

    /** Bytes received plus bytes in flight equal bytes sent, in order, under random cancellation; runs repeat. */
    @Property(tries = 200)
    void bytesAreConserved(@ForAll("configs") Config config,
                           @ForAll @Size(min = 1, max = 12) List<@From("writes") Write> writes,
                           @ForAll @Size(min = 1, max = 16) List<@From("reads") Read> reads,
                           @ForAll long seed) {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        List<String> again = Collections.synchronizedList(new ArrayList<>());
        Supplier<String> described = () -> config + "\nwrites " + writes + "\nreads " + reads;
        Trial trial = Trial.create().perturbed(seed).timeLimit(WATCHDOG);
        Trace first = trial.describedBy(() -> described.get() + "\nevents " + events)
                .execute(() -> {
                    scenario(config, writes, reads, events);
                    return null;
                }).trace();
        Trace second = trial.describedBy(() -> described.get() + "\nfirst run's events " + events
                        + "\nsecond run's events " + again)
                .execute(() -> {
                    scenario(config, writes, reads, again);
                    return null;
                }).trace();
        assertEquals(events, again, () -> "the same try gave two event lists\n" + described.get());
        assertEquals(first.digest(), second.digest(), () -> "the same try gave two traces\n" + described.get()
                + "\nfirst:\n" + first + "\nsecond:\n" + second);
    }

    /** Runs the writer and the reader over one pair, recording what each did in {@code events}. */
    private static void scenario(Config config, List<Write> writes, List<Read> reads, List<String> events)
            throws Exception {
        MemoryNetwork net = MemoryNetwork.create(config.options());
        long[] sent = {0};
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (Pair pair = net.pair()) {
            Link link = pair.link();
            MemoryConnection to = pair.right();
            try (TaskGroup<Object> group = TaskGroup.open()) {
                group.spawn(() -> {
                    for (Write w : writes) {
                        ByteBuffer buf = ByteBuffer.allocate(w.size());
                        for (int i = 0; i < w.size(); i++) {
                            buf.put(i, pattern(sent[0] + i));
                        }
                        Timeouts.ignoreAfter(micros(w.patienceMicros()), () -> pair.left().sendAll(buf));
                        sent[0] += buf.position();                    // exactly what the connection took
                        events.add("wrote " + buf.position() + "/" + w.size() + " at " + Timeouts.clock());
                    }
                });
                group.spawn(() -> {
                    for (Read r : reads) {
                        int n = receive(to, r, received);
                        events.add("read " + n + " by " + r.how() + " at " + Timeouts.clock());
                        check(received, link.bytesInFlight(to), link.bytesSent(to), "after a read");
                    }
                });
                group.join();
                group.results();
            }
            assertEquals(sent[0], link.bytesSent(to), "bytes the writer saw go vs. the link's count");
            check(received, link.bytesInFlight(to), sent[0], "after both stopped");
            pair.left().shutdownOutput();
            ByteBuffer rest = ByteBuffer.allocate(256);
            while (to.recvInto(rest.clear()) >= 0) {
                received.write(rest.array(), 0, rest.position());
            }
            check(received, 0, sent[0], "after draining");
            assertEquals(0, link.bytesInFlight(to));
            events.add("total " + sent[0] + " at " + Timeouts.clock());
        }
        assertEquals(0, net.openConnections());
    }

    /** Reads once in the chosen way; returns the count taken (the stream's buffered bytes count too). */
    private static int receive(MemoryConnection conn, Read r, ByteArrayOutputStream out) throws Exception {
        int before = out.size();
        ByteStream stream = conn.asStream();
        switch (r.how()) {
            case 0 -> {
                ByteBuffer buf = ByteBuffer.allocate(r.size());
                Timeouts.ignoreAfter(micros(r.patienceMicros()), () -> conn.recvInto(buf));
                out.write(buf.array(), 0, buf.position());
            }
            case 1 -> {
                Task<byte[]> t = Curio.spawn(() -> conn.recv(r.size()));
                Timeouts.sleep(micros(r.patienceMicros()));
                t.cancel();
                if (t.exception().isEmpty()) {
                    out.write(t.result());
                } else if (!(t.exception().get() instanceof CancelledException)) {
                    throw new AssertionError("recv failed", t.exception().get());
                }
            }
            case 2 -> {
                try {
                    out.write(Timeouts.after(micros(r.patienceMicros()), () -> stream.readExactly(r.size())));
                } catch (CancelledException | EOFException e) {
                    // the partial read was kept in the stream's buffer: taken below
                }
            }
            default -> Timeouts.ignoreAfter(micros(r.patienceMicros()), () -> out.write(stream.readLine()));
        }
        out.write(stream.takeBuffered());                             // read ahead, or kept by a cut-off read
        return out.size() - before;
    }

    /** Checks received + in flight == sent, and that what was received is the stream's prefix. */
    private static void check(ByteArrayOutputStream received, long inFlight, long sent, String when) {
        byte[] got = received.toByteArray();
        assertEquals(sent, got.length + inFlight, "received + in flight vs. sent, " + when);
        for (int k = 0; k < got.length; k++) {
            if (got[k] != pattern(k)) {
                fail("byte " + k + " of " + got.length + " is wrong " + when + ": lost, repeated or reordered bytes");
            }
        }
    }

    private static Duration micros(int micros) {
        return Duration.ofNanos(micros * 1_000L);
    }
}
