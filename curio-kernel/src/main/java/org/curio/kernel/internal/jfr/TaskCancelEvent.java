package org.curio.kernel.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A task was cancelled. */
@Name("curio.TaskCancel")
@Label("Task Cancel")
@Category("curio")
@Description("A task was cancelled.")
@StackTrace(false)
final class TaskCancelEvent extends Event {
    @Label("Kernel")
    @Description("The kernel, such as Kernel-1 (numbered in the order kernels were built)")
    String kernel;
    @Label("Task Id")
    long taskId;
    @Label("Task Name")
    String taskName;
    @Label("Requested By Id")
    @Description("The id of the task that asked; 0 if another thread did")
    long requestedById;
    @Label("Requested By")
    @Description("The name of the task that asked, or the thread's")
    String requestedBy;
    @Label("Exception Class")
    String exceptionClass;
    @Label("Message")
    String message;
    @Label("Delivered At Once")
    @Description("Whether the task was blocked and got the exception at once, rather than at its next blocking call")
    boolean deliveredAtOnce;
}
