package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;

import org.curio.io.Connector;
import org.curio.io.Listener;
import org.curio.io.testing.MemoryConnection;
import org.curio.io.testing.MemoryNetwork;
import org.curio.kernel.VirtualClock;
import org.curio.traps.CancelledException;
import org.curio.test.CurioTest;
import org.curio.test.Steps;

/**
 * {@link FirstConnection}, curio's happy eyeballs over a task group: one attempt stalls, one is
 * refused, one is accepted; the accepted connection comes back and the stalled attempt is cancelled
 * when the group's block is left.
 */
class FirstConnectionTest {
    // The memory network is the only io testing type used here; its package may move.
    private static MemoryNetwork network() {
        return MemoryNetwork.create(MemoryNetwork.Options.defaults().withBacklog(1));
    }

    /** An attempt that records when it starts and how it ends, on the virtual clock. */
    private static Connector<MemoryConnection> recorded(String name, Connector<MemoryConnection> target,
                                                         VirtualClock clock, Steps steps) {
        return () -> {
            steps.record(name + " starts at " + clock.elapsed().toMillis());
            try {
                MemoryConnection c = target.connect();
                steps.record(name + " connected at " + clock.elapsed().toMillis());
                return c;
            } catch (CancelledException e) {
                steps.record(name + " cancelled at " + clock.elapsed().toMillis());
                throw e;
            } catch (IOException e) {
                steps.record(name + " refused at " + clock.elapsed().toMillis());
                throw e;
            }
        };
    }

    /** Stalled, refused, accepted: the accepted connection is returned, the stalled attempt cancelled. */
    @CurioTest
    void returnsTheAcceptedConnectionAndCancelsTheStalledAttempt(VirtualClock clock, Steps steps) throws Exception {
        MemoryNetwork net = network();
        Listener<MemoryConnection> stalled = net.listen("stalled");
        MemoryConnection filler = net.connect("stalled");                   // its backlog is full: connects wait
        try (Listener<MemoryConnection> accepting = net.listen("accepting")) {
            List<Connector<MemoryConnection>> targets = List.of(
                    recorded("stalled", net.connector("stalled"), clock, steps),
                    recorded("refused", net.connector("nobody"), clock, steps),
                    recorded("accepted", net.connector("accepting"), clock, steps));
            try (MemoryConnection c = FirstConnection.connect(targets, Duration.ofMillis(250))) {
                steps.record("returned at " + clock.elapsed().toMillis());
                try (MemoryConnection server = accepting.accept()) {
                    assertEquals(c.remoteAddress(), server.localAddress());
                }
            }
        } finally {
            filler.close();
            stalled.close();
        }
        steps.assertEvents("stalled starts at 0", "refused starts at 250", "refused refused at 250",
                "accepted starts at 250", "accepted connected at 250", "stalled cancelled at 250", "returned at 250");
        assertEquals(0, net.openConnections());
    }

    /** When every attempt fails, the error says so and carries each failure. */
    @CurioTest
    void everyAttemptRefused(VirtualClock clock, Steps steps) throws Exception {
        MemoryNetwork net = network();
        var e = assertThrows(ConnectException.class, () -> FirstConnection.connect(List.of(
                recorded("a", net.connector("a"), clock, steps), recorded("b", net.connector("b"), clock, steps)),
                Duration.ofMillis(250)));
        assertEquals("no target accepted the connection (2 tried)", e.getMessage());
        assertEquals(2, e.getSuppressed().length);
        steps.assertEvents("a starts at 0", "a refused at 0", "b starts at 0", "b refused at 0");
    }
}
