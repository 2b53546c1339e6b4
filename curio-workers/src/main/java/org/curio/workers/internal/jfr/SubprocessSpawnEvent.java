package org.curio.workers.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A subprocess was started. */
@Name("curio.SubprocessSpawn")
@Label("Subprocess Spawn")
@Category("curio")
@Description("A subprocess was started.")
@StackTrace(false)
final class SubprocessSpawnEvent extends Event {
    @Label("Task Id")
    @Description("The task that made the call; 0 if none")
    long taskId;
    @Label("Task Name")
    String taskName;
    @Label("Pid")
    long pid;
    @Label("Command")
    @Description("The program (argv[0])")
    String command;
}
