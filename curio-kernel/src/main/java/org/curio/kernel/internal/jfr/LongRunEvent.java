package org.curio.kernel.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/** A task ran this long before it suspended or ended, while no other task of its kernel could run. */
@Name("curio.LongRun")
@Label("Long Run Without a Trap")
@Category("curio")
@Description("A task ran this long before it suspended or ended, while no other task of its kernel could run.")
@StackTrace(false)
@Threshold("50 ms")
final class LongRunEvent extends Event {
    @Label("Kernel")
    @Description("The kernel, such as Kernel-1 (numbered in the order kernels were built)")
    String kernel;
    @Label("Task Id")
    long taskId;
    @Label("Task Name")
    String taskName;
    @Label("Suspended On")
    @Description("The trap it suspended on, or terminated")
    String suspendedOn;
    @Label("Stack At Suspension")
    @Description("The program's frames where the task suspended, innermost first")
    String stack;
}
