package org.curio.kernel.internal.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A task was cancelled. */
@Name("curio.TaskCancel")
@Label("Task Cancel")
@Description("A task was cancelled.")
final class TaskCancelEvent extends TaskEvent {
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
