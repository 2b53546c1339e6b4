package org.curio.kernel.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import org.curio.kernel.internal.jfr.Recordings;
import org.curio.traps.Task;

/**
 * Connects kernels to JDK Flight Recorder, when the {@code jdk.jfr} module is present: the kernels
 * register here, and {@code org.curio.kernel.internal.jfr} installs {@link TaskEvents} on each while
 * a recording runs. Without {@code jdk.jfr} (a jlink'ed runtime without it, or a module path that did
 * not resolve it), nothing here touches a JFR class, and nothing is recorded.
 *
 * <p>Discussion: only this class refers to the {@code jfr} package, and only after the one-time check
 * below, so no JFR class (and no event class) is loaded by a program that never records.
 */
public final class FlightRecording {
    private static final boolean AVAILABLE = jfrPresent();
    private static final Map<KernelLoop, Long> KERNELS = new WeakHashMap<>();   // guarded by itself

    private FlightRecording() {}

    private static boolean jfrPresent() {
        try {
            Module jfr = ModuleLayer.boot().findModule("jdk.jfr").orElse(null);
            return jfr != null && FlightRecording.class.getModule().canRead(jfr)
                    && !Boolean.getBoolean("org.curio.jfr.disabled");
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** {@return whether JFR events can be recorded in this runtime} */
    public static boolean available() {
        return AVAILABLE;
    }

    /** Registers a new kernel; it gets its events as soon as a recording runs. */
    static void register(KernelLoop loop) {
        if (!AVAILABLE) {
            return;
        }
        long id = loop.number();
        synchronized (KERNELS) {
            KERNELS.put(loop, id);
        }
        try {
            Recordings.registered(loop, id);
        } catch (RuntimeException | LinkageError e) {
            KernelLoop.LOG.log(System.Logger.Level.DEBUG, "JFR events unavailable", e);
        }
    }

    /** Forgets a closed kernel. */
    static void unregister(KernelLoop loop) {
        if (AVAILABLE) {
            synchronized (KERNELS) {
                KERNELS.remove(loop);
            }
        }
    }

    /**
     * Records that a timeout block of {@code task} saw a timeout, if a recording runs. Called on the task.
     *
     * @param task     the task (one of a kernel's)
     * @param own      whether the block's own deadline expired, rather than an enclosing block's
     * @param api      the call that opened the block
     * @param timeout  the block's timeout
     * @param deadline the block's deadline on the kernel clock
     */
    public static void timedOut(Task<?> task, boolean own, String api, Duration timeout, long deadline) {
        if (task instanceof KernelTask<?> t && t.scheduler.events instanceof TaskEvents recording) {
            long nanos;
            try {
                nanos = timeout.toNanos();
            } catch (ArithmeticException e) {
                nanos = Long.MAX_VALUE;
            }
            recording.timedOut(t, own, api, nanos, deadline);
        }
    }

    /** {@return the registered kernels and their ids, for the recorder} */
    public static List<Map.Entry<KernelLoop, Long>> kernels() {
        synchronized (KERNELS) {
            return new ArrayList<>(KERNELS.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList());
        }
    }
}
