package org.curio.kernel.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A task terminated. */
@Name("curio.TaskEnd")
@Label("Task End")
@Category("curio")
@Description("A task terminated.")
@StackTrace(false)
final class TaskEndEvent extends Event {
    @Label("Kernel")
    @Description("The kernel, such as Kernel-1 (numbered in the order kernels were built)")
    String kernel;
    @Label("Task Id")
    long taskId;
    @Label("Task Name")
    String taskName;
    @Label("Outcome")
    @Description("returned, failed or cancelled")
    String outcome;
    @Label("Cycles")
    @Description("How many times the task ran")
    long cycles;
}
