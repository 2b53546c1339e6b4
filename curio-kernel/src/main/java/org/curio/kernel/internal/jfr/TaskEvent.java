package org.curio.kernel.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.StackTrace;
import org.curio.kernel.internal.KernelTask;

/**
 * What every task event carries: the kernel and the task it is about, since on the continuation
 * backend every event's thread is the kernel's. JFR includes a superclass's fields and its inherited
 * annotations in each event type.
 */
@Category("curio")
@StackTrace(false)
abstract class TaskEvent extends Event {
    @Label("Kernel")
    @Description("The kernel, such as Kernel-1 (numbered in the order kernels were built)")
    String kernel;
    @Label("Task Id")
    long taskId;
    @Label("Task Name")
    String taskName;

    /** Names the kernel and the task. */
    final void about(String kernelName, KernelTask<?> task) {
        kernel = kernelName;
        taskId = task.id();
        taskName = task.name();
    }
}
