package org.curio.workers.internal.jfr;

import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.workers.internal.WorkerRecording;
import org.jspecify.annotations.Nullable;

/** Makes the workers' JFR events for {@link WorkerRecording}; loaded only when {@code jdk.jfr} is present. */
public final class WorkerEvents {
    private WorkerEvents() {}

    private static @Nullable Task<?> currentTask() {
        return Traps.inTask() ? Traps.call(new Trap.GetCurrent()) : null;
    }

    /** {@return a begun worker-call event, or null if not recorded} */
    public static @Nullable Object begin() {
        WorkerCallEvent e = new WorkerCallEvent();
        if (!e.isEnabled()) {
            return null;
        }
        e.begin();
        return e;
    }

    /**
     * Ends and commits a worker-call event.
     *
     * @param record  the event from {@link #begin}
     * @param kind    thread or process
     * @param outcome returned, failed or cancelled
     */
    public static void end(Object record, String kind, String outcome) {
        WorkerCallEvent e = (WorkerCallEvent) record;
        e.end();
        if (e.shouldCommit()) {
            Task<?> task = currentTask();
            e.taskId = task == null ? 0 : task.id();
            e.taskName = task == null ? "" : task.name();
            e.kind = kind;
            e.outcome = outcome;
            e.commit();
        }
    }

    /**
     * Commits a spawn event; {@return a begun exit event, or null if exits are not recorded}
     *
     * @param pid     the process id
     * @param command argv[0]
     */
    public static @Nullable Object spawned(long pid, String command) {
        SubprocessSpawnEvent spawn = new SubprocessSpawnEvent();
        if (spawn.isEnabled()) {
            Task<?> task = currentTask();
            spawn.taskId = task == null ? 0 : task.id();
            spawn.taskName = task == null ? "" : task.name();
            spawn.pid = pid;
            spawn.command = command;
            spawn.commit();
        }
        SubprocessExitEvent exit = new SubprocessExitEvent();
        if (!exit.isEnabled()) {
            return null;
        }
        exit.pid = pid;
        exit.command = command;
        exit.begin();
        return exit;
    }

    /**
     * Ends and commits an exit event.
     *
     * @param record the event from {@link #spawned}
     * @param status the exit status
     */
    public static void exited(Object record, int status) {
        SubprocessExitEvent e = (SubprocessExitEvent) record;
        e.end();
        if (e.shouldCommit()) {
            e.exitStatus = status;
            e.commit();
        }
    }
}
