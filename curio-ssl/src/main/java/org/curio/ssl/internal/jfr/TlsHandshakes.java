package org.curio.ssl.internal.jfr;

import java.util.function.Supplier;

import javax.net.ssl.SSLSession;

import org.curio.ssl.internal.TlsRecording;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/** Makes {@link TlsHandshakeEvent}s for {@link TlsRecording}; loaded only when {@code jdk.jfr} is present. */
public final class TlsHandshakes {
    private TlsHandshakes() {}

    /**
     * {@return a begun event if handshakes are being recorded, else null}
     *
     * @param peer the peer's address
     */
    public static @Nullable Object begin(Supplier<String> peer) {
        TlsHandshakeEvent e = new TlsHandshakeEvent();
        if (!e.isEnabled()) {
            return null;
        }
        e.peer = peer.get();
        e.begin();
        return e;
    }

    /**
     * Ends and commits {@code record}, a {@link TlsHandshakeEvent} from {@link #begin}. Called on a task.
     *
     * @param record  the event
     * @param outcome how the handshake ended
     */
    public static void end(Object record, TlsRecording.Outcome outcome) {
        TlsHandshakeEvent e = (TlsHandshakeEvent) record;
        e.end();
        if (!e.shouldCommit()) {
            return;
        }
        Task<?> task = Traps.inTask() ? Traps.call(new Trap.GetCurrent()) : null;
        e.taskId = task == null ? 0 : task.id();
        e.taskName = task == null ? "" : task.name();
        e.side = outcome.side();
        SSLSession session = outcome.session();
        e.protocol = session == null ? "" : session.getProtocol();
        e.cipherSuite = session == null ? "" : session.getCipherSuite();
        e.resumed = outcome.resumed();
        e.failure = outcome.failure() == null ? "" : outcome.failure();
        e.commit();
    }
}
