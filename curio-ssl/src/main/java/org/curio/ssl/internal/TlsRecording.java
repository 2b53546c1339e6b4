package org.curio.ssl.internal;

import java.util.function.Supplier;

import javax.net.ssl.SSLSession;

import org.curio.ssl.internal.jfr.TlsHandshakes;
import org.jspecify.annotations.Nullable;

/**
 * Records TLS handshakes as JFR events when the runtime has the {@code jdk.jfr} module; without it
 * (a jlink'ed runtime, a module path that did not resolve it) nothing here touches a JFR class. Only
 * this class refers to the {@code jfr} package, after a one-time check.
 */
public final class TlsRecording {
    private static final boolean AVAILABLE = jfrPresent();

    private TlsRecording() {}

    private static boolean jfrPresent() {
        try {
            Module jfr = ModuleLayer.boot().findModule("jdk.jfr").orElse(null);
            return jfr != null && TlsRecording.class.getModule().canRead(jfr);
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** What a finished handshake records. */
    public record Outcome(String side, @Nullable SSLSession session, boolean resumed, @Nullable String failure) {}

    /**
     * {@return a started record of a handshake beginning now, or null if none is being recorded}
     *
     * @param peer the peer's address, asked for only if the handshake is recorded (it is read now:
     *             a failed handshake closes the transport, which forgets its address)
     */
    public static @Nullable Object begin(Supplier<String> peer) {
        return AVAILABLE ? TlsHandshakes.begin(peer) : null;
    }

    /**
     * Completes and commits a record from {@link #begin}.
     *
     * @param record  the record, or null (then nothing happens)
     * @param outcome how the handshake ended
     */
    public static void end(@Nullable Object record, Outcome outcome) {
        if (record != null) {
            TlsHandshakes.end(record, outcome);
        }
    }
}
