package org.curio.kernel.internal;

import java.lang.ref.WeakReference;
import java.util.ArrayList;

import org.curio.kernel.spi.Activation;
import org.jspecify.annotations.Nullable;

/**
 * The crashed tasks that nobody has joined yet, so that activations can be told at the end of a run
 * which crashes went unread. Held weakly: a finished task that nobody can reach any more, such as a
 * server's client task whose handle was dropped, is not kept alive by the kernel (its crash was
 * logged when it ended). Kernel only.
 */
final class Crashes {
    private static final int MIN_COMPACTION = 64;

    private final ArrayList<WeakReference<KernelTask<?>>> unjoined = new ArrayList<>();
    private int compactAt = MIN_COMPACTION;

    /** Notes a crashed task that nobody has looked at; amortized O(1), memory bounded by the live ones. */
    void remember(KernelTask<?> task) {
        if (unjoined.size() >= compactAt) {
            unjoined.removeIf(r -> forgotten(r.get()));
            compactAt = Math.max(MIN_COMPACTION, 2 * unjoined.size());
        }
        unjoined.add(new WeakReference<>(task));
    }

    /** Tells the activations of each remembered task that is still reachable and still unjoined, and forgets all. */
    void reportUnjoined(Activation[] activations) {
        for (WeakReference<KernelTask<?>> r : unjoined) {
            KernelTask<?> t = r.get();
            if (!forgotten(t)) {
                for (Activation a : activations) {
                    a.unjoinedFailure(t, t.peekFailure());
                }
            }
        }
        unjoined.clear();
        compactAt = MIN_COMPACTION;
    }

    /**
     * {@return {@code " at "} and the first frame of the program's own code in {@code failure}'s stack,
     * or an empty string} The crash log line names it, so the first frame a reader meets is the
     * program's, whatever curio frames the exception was thrown from.
     */
    static String at(Throwable failure) {
        StackTraceElement frame = Frames.firstUser(failure.getStackTrace());
        return frame == null ? "" : " at " + Frames.describe(frame);
    }

    private static boolean forgotten(@Nullable KernelTask<?> t) {
        return t == null || t.joined;
    }
}
