package org.curio.kernel.internal.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A task terminated. */
@Name("curio.TaskEnd")
@Label("Task End")
@Description("A task terminated.")
final class TaskEndEvent extends TaskEvent {
    @Label("Outcome")
    @Description("returned, failed or cancelled")
    String outcome;
    @Label("Cycles")
    @Description("How many times the task ran")
    long cycles;
}
