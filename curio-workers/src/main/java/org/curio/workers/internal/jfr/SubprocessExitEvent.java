package org.curio.workers.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A subprocess was reaped: its life from start to reaping. */
@Name("curio.SubprocessExit")
@Label("Subprocess Exit")
@Category("curio")
@Description("A subprocess was reaped; the duration is from its start to its reaping.")
@StackTrace(false)
final class SubprocessExitEvent extends Event {
    @Label("Pid")
    long pid;
    @Label("Command")
    @Description("The program (argv[0])")
    String command;
    @Label("Exit Status")
    @Description("The exit code, or minus the number of the signal that ended it")
    int exitStatus;
}
