package org.curio.workers.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A call run in a worker thread or process, from its start to its end. */
@Name("curio.WorkerCall")
@Label("Worker Call")
@Category("curio")
@Description("A call run in a worker thread or worker process, from the task's request to its answer.")
@StackTrace(false)
final class WorkerCallEvent extends Event {
    @Label("Task Id")
    @Description("The task that made the call; 0 if none")
    long taskId;
    @Label("Task Name")
    String taskName;
    @Label("Kind")
    @Description("thread or process")
    String kind;
    @Label("Outcome")
    @Description("returned, failed or cancelled")
    String outcome;
}
