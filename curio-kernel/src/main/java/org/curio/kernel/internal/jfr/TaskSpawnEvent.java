package org.curio.kernel.internal.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A task was created. */
@Name("curio.TaskSpawn")
@Label("Task Spawn")
@Description("A task was created.")
final class TaskSpawnEvent extends TaskEvent {
    @Label("Parent Id")
    @Description("The id of the task that spawned it; 0 for a main task")
    long parentId;
    @Label("Daemon")
    boolean daemon;
}
