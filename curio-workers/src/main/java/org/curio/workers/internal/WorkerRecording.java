package org.curio.workers.internal;

import org.curio.workers.internal.jfr.WorkerEvents;
import org.jspecify.annotations.Nullable;

/**
 * Records worker calls and subprocesses as JFR events when the runtime has the {@code jdk.jfr} module;
 * without it nothing here touches a JFR class. Only this class refers to the {@code jfr} package, after
 * a one-time check. Each {@code begin}/{@code spawned} answers null unless that event is being recorded.
 */
public final class WorkerRecording {
    private static final boolean AVAILABLE = jfrPresent();

    private WorkerRecording() {}

    private static boolean jfrPresent() {
        try {
            Module jfr = ModuleLayer.boot().findModule("jdk.jfr").orElse(null);
            return jfr != null && WorkerRecording.class.getModule().canRead(jfr);
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** {@return a begun record of a worker call, or null if worker calls are not being recorded} */
    public static @Nullable Object begin() {
        return AVAILABLE ? WorkerEvents.begin() : null;
    }

    /**
     * Ends and commits a worker call's record.
     *
     * @param record  from {@link #begin}, or null (then nothing happens)
     * @param kind    {@code thread} or {@code process}
     * @param outcome {@code returned}, {@code failed} or {@code cancelled}
     */
    public static void end(@Nullable Object record, String kind, String outcome) {
        if (record != null) {
            WorkerEvents.end(record, kind, outcome);
        }
    }

    /**
     * Records a subprocess's start; {@return a begun record of its exit, or null if exits are not recorded}
     *
     * @param pid     its process id
     * @param command its program (argv[0])
     */
    public static @Nullable Object spawned(long pid, String command) {
        return AVAILABLE ? WorkerEvents.spawned(pid, command) : null;
    }

    /**
     * Ends and commits a subprocess's exit record.
     *
     * @param record from {@link #spawned}, or null (then nothing happens)
     * @param status the exit code, or minus the signal's number
     */
    public static void exited(@Nullable Object record, int status) {
        if (record != null) {
            WorkerEvents.exited(record, status);
        }
    }
}
