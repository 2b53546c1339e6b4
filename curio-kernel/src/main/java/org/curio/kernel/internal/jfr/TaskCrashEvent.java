package org.curio.kernel.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A task other than a main task failed with something other than a cancellation. */
@Name("curio.TaskCrash")
@Label("Task Crash")
@Category("curio")
@Description("A task other than a main task failed with something other than a cancellation.")
@StackTrace(false)
final class TaskCrashEvent extends Event {
    @Label("Kernel")
    @Description("The kernel, such as Kernel-1 (numbered in the order kernels were built)")
    String kernel;
    @Label("Task Id")
    long taskId;
    @Label("Task Name")
    String taskName;
    @Label("Exception Class")
    String exceptionClass;
    @Label("Message")
    String message;
    @Label("Thrown At")
    @Description("The first frame of the program's own code in the exception's stack")
    String thrownAt;
}
