package org.curio.kernel.internal.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/** A task ran this long before it suspended or ended, while no other task of its kernel could run. */
@Name("curio.LongRun")
@Label("Long Run Without a Trap")
@Description("A task ran this long before it suspended or ended, while no other task of its kernel could run.")
@Threshold("50 ms")
final class LongRunEvent extends TaskEvent {
    @Label("Suspended On")
    @Description("The trap it suspended on, or terminated")
    String suspendedOn;
    @Label("Stack At Suspension")
    @Description("The program's frames where the task suspended, innermost first")
    String stack;
}
