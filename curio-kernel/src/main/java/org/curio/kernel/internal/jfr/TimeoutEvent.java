package org.curio.kernel.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A timeout block of a task saw a timeout: its own deadline, or an enclosing block's. */
@Name("curio.Timeout")
@Label("Timeout")
@Category("curio")
@Description("A timeout block of a task saw a timeout: its own deadline, or an enclosing block's.")
@StackTrace(false)
final class TimeoutEvent extends Event {
    @Label("Kernel")
    @Description("The kernel, such as Kernel-1 (numbered in the order kernels were built)")
    String kernel;
    @Label("Task Id")
    long taskId;
    @Label("Task Name")
    String taskName;
    @Label("Own")
    @Description("Whether this block's own deadline expired; false when an enclosing block's did")
    boolean own;
    @Label("Block")
    @Description("The call that opened the block, such as Timeouts.after")
    String block;
    @Timespan(Timespan.NANOSECONDS)
    @Label("Timeout")
    @Description("The block's timeout")
    long timeout;
    @Label("Deadline")
    @Description("The block's deadline on the kernel clock, in nanoseconds")
    long deadline;
}
