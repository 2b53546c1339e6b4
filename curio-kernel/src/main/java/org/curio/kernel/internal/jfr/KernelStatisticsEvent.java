package org.curio.kernel.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * A kernel's figures, once a period, read from the recorder's thread without stopping the kernel: each
 * is a single field read, so a figure may be one turn old.
 */
@Name("curio.KernelStatistics")
@Label("Kernel Statistics")
@Category("curio")
@Description("A kernel's figures, read without stopping it: each may be one turn old.")
@StackTrace(false)
@Period("1 s")
final class KernelStatisticsEvent extends Event {
    @Label("Kernel")
    @Description("The kernel, such as Kernel-1 (numbered in the order kernels were built)")
    String kernel;
    @Label("Backend")
    @Description("virtual or continuation")
    String backend;
    @Label("Ready")
    @Description("Tasks ready to run")
    int ready;
    @Label("Tasks")
    @Description("Live tasks")
    int tasks;
    @Label("Timers")
    @Description("Armed sleeps and timeouts")
    int timers;
    @Label("Registrations")
    @Description("Descriptors registered with the poller")
    int registrations;
    @Label("Future Waiters")
    @Description("Tasks waiting for a future completed by another thread")
    int futureWaiters;
    @Label("Pending Hand-offs")
    @Description("Actions handed to the kernel by other threads and not yet run")
    int handoffs;
    @Label("Cycles")
    @Description("Task runs since this recording began")
    long cycles;
}
