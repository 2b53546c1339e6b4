package org.curio.kernel.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A task was created. */
@Name("curio.TaskSpawn")
@Label("Task Spawn")
@Category("curio")
@Description("A task was created.")
@StackTrace(false)
final class TaskSpawnEvent extends Event {
    @Label("Kernel")
    @Description("The kernel, such as Kernel-1 (numbered in the order kernels were built)")
    String kernel;
    @Label("Task Id")
    long taskId;
    @Label("Task Name")
    String taskName;
    @Label("Parent Id")
    @Description("The id of the task that spawned it; 0 for a main task")
    long parentId;
    @Label("Daemon")
    boolean daemon;
}
