package org.curio.kernel.internal.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A task other than a main task failed with something other than a cancellation. */
@Name("curio.TaskCrash")
@Label("Task Crash")
@Description("A task other than a main task failed with something other than a cancellation.")
final class TaskCrashEvent extends TaskEvent {
    @Label("Exception Class")
    String exceptionClass;
    @Label("Message")
    String message;
    @Label("Thrown At")
    @Description("The first frame of the program's own code in the exception's stack")
    String thrownAt;
}
