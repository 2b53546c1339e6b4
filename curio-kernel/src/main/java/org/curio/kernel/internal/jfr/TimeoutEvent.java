package org.curio.kernel.internal.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** A timeout block of a task saw a timeout: its own deadline, or an enclosing block's. */
@Name("curio.Timeout")
@Label("Timeout")
@Description("A timeout block of a task saw a timeout: its own deadline, or an enclosing block's.")
final class TimeoutEvent extends TaskEvent {
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
