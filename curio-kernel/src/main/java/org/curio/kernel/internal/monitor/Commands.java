package org.curio.kernel.internal.monitor;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.curio.kernel.internal.KernelTask;

/**
 * The console's commands: parses one line and answers it, for the kernels registered on a console.
 * Curio: {@code curio.monitor.Monitor.interactive_loop}.
 */
final class Commands {
    static final String HELP = """
            Commands:
              ps               tasks of every kernel: id, state, cycles, time to timeout, time to wake, group, name
              where ID         the stack of task ID
              tree             tasks by parent, with their task groups
              cancel ID        cancel task ID (through its kernel) and wait up to a second for it to end
              signal NAME      raise signal NAME in this process (INT, TERM, HUP, USR1, ...)
              stats            the counters of every kernel
              recent           the last 50 terminated tasks of every kernel and how they ended
              help             this text
              quit             leave the monitor
            ID is a task id from ps, or KERNEL:TASK such as 1:12.
            """;
    /** What {@link #execute} answers for {@code quit}. */
    static final String QUIT = "Leaving the monitor.\n";
    private static final long CANCEL_WAIT_MILLIS = 1000;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    private final Supplier<List<KernelInspector>> kernels;

    Commands(Supplier<List<KernelInspector>> kernels) {
        this.kernels = kernels;
    }

    /** {@return the greeting a client sees on connecting} */
    String greeting() {
        int tasks = 0;
        List<KernelInspector> all = kernels.get();
        for (KernelInspector k : all) {
            tasks += k.taskCount();
        }
        return "\ncurio monitor: " + all.size() + (all.size() == 1 ? " kernel, " : " kernels, ") + tasks
                + (tasks == 1 ? " task" : " tasks") + "\nType help for commands\n";
    }

    /**
     * Carries out one command line.
     *
     * @param line the line, without its end
     * @return the answer, ending in a newline ({@link #QUIT} to close the session)
     */
    String execute(String line) {
        String[] words = line.trim().split("\\s+");
        String command = words[0].toLowerCase(Locale.ROOT);
        try {
            return switch (command) {
                case "" -> "";
                case "ps" -> noArgument(words, "ps", this::ps);
                case "where", "w" -> oneArgument(words, "where ID", () -> where(words[1]));
                case "tree", "parents" -> noArgument(words, "tree", this::tree);
                case "cancel" -> oneArgument(words, "cancel ID", () -> cancel(words[1]));
                case "signal" -> oneArgument(words, "signal NAME", () -> signal(words[1]));
                case "stats" -> noArgument(words, "stats", this::stats);
                case "recent" -> noArgument(words, "recent", this::recent);
                case "help", "h", "?" -> HELP;
                case "quit", "q", "exit" -> QUIT;
                default -> "error: unknown command '" + clip(words[0]) + "'; type help for the commands\n";
            };
        } catch (IllegalArgumentException | IllegalStateException e) {
            return "error: " + e.getMessage() + "\n";
        }
    }

    private static String noArgument(String[] words, String usage, Supplier<String> action) {
        if (words.length != 1) {
            return "error: " + words[0] + " takes no argument; usage: " + usage + "\n";
        }
        return action.get();
    }

    private static String oneArgument(String[] words, String usage, Supplier<String> action) {
        if (words.length != 2) {
            return "error: " + (words.length < 2 ? "missing argument" : "too many arguments") + "; usage: " + usage
                    + (usage.endsWith("ID") ? " (a task id from ps, or KERNEL:TASK)" : "") + "\n";
        }
        return action.get();
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    // ------------------------------------------------------------------ the commands

    private String ps() {
        StringBuilder out = new StringBuilder();
        for (KernelInspector k : kernels.get()) {
            Snapshot s = k.snapshot();
            header(out, s);
            out.append(String.format(Locale.ROOT, "%-8s %-14s %-8s %-9s %-9s %-22s %s%n",
                    "Task", "State", "Cycles", "Timeout", "Sleep", "Group", "Name"));
            for (TaskInfo t : s.tasks()) {
                out.append(String.format(Locale.ROOT, "%-8d %-14s %-8d %-9s %-9s %-22s %s%n", t.id(), t.state(),
                        t.cycles(), seconds(t.timeoutNanos()), seconds(t.sleepNanos()),
                        t.group().isEmpty() ? "-" : t.group(), t.name() + (t.daemon() ? " (daemon)" : "")));
            }
            more(out, s);
        }
        return out.isEmpty() ? "no kernel is registered\n" : out.toString();
    }

    private static void header(StringBuilder out, Snapshot s) {
        out.append("kernel ").append(s.kernelId()).append(" (").append(s.backend()).append(", ")
                .append(s.stats().tasks()).append(s.stats().tasks() == 1 ? " task" : " tasks").append(")");
        if (!s.note().isEmpty()) {
            out.append(" -- ").append(s.note());
        }
        out.append('\n');
    }

    private static void more(StringBuilder out, Snapshot s) {
        int hidden = s.stats().tasks() - s.tasks().size();
        if (hidden > 0) {
            out.append("... and ").append(hidden).append(" more tasks\n");
        }
    }

    private static String seconds(long nanos) {
        return nanos < 0 ? "None" : String.format(Locale.ROOT, "%.3f", nanos / 1e9);
    }

    private String where(String arg) {
        Target target = resolve(arg);
        KernelInspector.Where w = target.kernel().where(target.task());
        StringBuilder out = new StringBuilder("task ").append(target.task().id()).append(" (")
                .append(target.task().name()).append(") [").append(w.state()).append("] in kernel ")
                .append(target.kernel().id());
        out.append(w.note().isEmpty() ? "" : ": " + w.note()).append('\n');
        for (StackTraceElement f : w.frames()) {
            out.append("    at ").append(f).append('\n');
        }
        return out.toString();
    }

    private String cancel(String arg) {
        Target target = resolve(arg);
        KernelTask<?> t = target.task();
        if (target.kernel().cancel(t, CANCEL_WAIT_MILLIS)) {
            return "cancelled task " + t.id() + " (" + t.name() + "): it has terminated\n";
        }
        return "cancelling task " + t.id() + " (" + t.name() + "): not terminated after " + CANCEL_WAIT_MILLIS
                + " ms (state " + t.state() + "; cancellation arrives at its next blocking call)\n";
    }

    private static String signal(String name) {
        return "raised " + SignalRaiser.raise(name) + "\n";
    }

    private String tree() {
        StringBuilder out = new StringBuilder();
        for (KernelInspector k : kernels.get()) {
            Snapshot s = k.snapshot();
            header(out, s);
            Map<Long, List<TaskInfo>> children = new HashMap<>();
            Set<Long> ids = new HashSet<>();
            for (TaskInfo t : s.tasks()) {
                ids.add(t.id());
            }
            List<TaskInfo> roots = new ArrayList<>();
            for (TaskInfo t : s.tasks()) {
                if (ids.contains(t.parentId())) {
                    children.computeIfAbsent(t.parentId(), p -> new ArrayList<>()).add(t);
                } else {
                    roots.add(t);
                }
            }
            for (TaskInfo root : roots) {
                branch(out, root, children, 1);
            }
            more(out, s);
        }
        return out.isEmpty() ? "no kernel is registered\n" : out.toString();
    }

    private static void branch(StringBuilder out, TaskInfo t, Map<Long, List<TaskInfo>> children, int depth) {
        out.append("  ".repeat(depth)).append(t.id()).append(' ').append(t.name()).append(" [").append(t.state())
                .append(']');
        if (!t.group().isEmpty()) {
            out.append(" in ").append(t.group());
        }
        if (t.daemon()) {
            out.append(" (daemon)");
        }
        out.append('\n');
        for (TaskInfo c : children.getOrDefault(t.id(), List.of())) {
            branch(out, c, children, depth + 1);
        }
    }

    private String stats() {
        StringBuilder out = new StringBuilder();
        for (KernelInspector k : kernels.get()) {
            Snapshot s = k.snapshot();
            Snapshot.Stats st = s.stats();
            out.append(String.format(Locale.ROOT,
                    "kernel %d (%s): tasks=%d ready=%d timers=%d registrations=%d hand-offs=%d future-waits=%d"
                            + " cycles=%d%s%n", s.kernelId(), s.backend(), st.tasks(), st.ready(), st.timers(),
                    st.registrations(), st.handOffs(), st.futureWaits(), st.cycles(),
                    s.note().isEmpty() ? "" : " -- " + s.note()));
        }
        return out.isEmpty() ? "no kernel is registered\n" : out.toString();
    }

    private String recent() {
        StringBuilder out = new StringBuilder();
        for (KernelInspector k : kernels.get()) {
            Recorder r = k.recorder();
            if (r == null) {
                out.append("kernel ").append(k.id()).append(": not recorded (the monitor was attached after the"
                        + " kernel was built; build it with Kernel.builder().monitor(...) to record)\n");
                continue;
            }
            List<Recorder.Ended> ended = r.recent();
            out.append("kernel ").append(k.id()).append(": ").append(ended.size())
                    .append(" recently terminated tasks, newest first\n");
            for (Recorder.Ended e : ended) {
                out.append(String.format(Locale.ROOT, "  %s %-8d %-20s %s (%d cycles)%n",
                        CLOCK.format(Instant.ofEpochMilli(e.endedAt())), e.id(), e.name(), e.outcome(), e.cycles()));
            }
        }
        return out.isEmpty() ? "no kernel is registered\n" : out.toString();
    }

    // ------------------------------------------------------------------ task ids

    private record Target(KernelInspector kernel, KernelTask<?> task) {}

    private Target resolve(String arg) {
        int colon = arg.indexOf(':');
        if (colon >= 0) {
            long kernelId = number(arg.substring(0, colon), arg);
            long taskId = number(arg.substring(colon + 1), arg);
            for (KernelInspector k : kernels.get()) {
                if (k.id() == kernelId) {
                    KernelTask<?> t = k.find(taskId);
                    if (t == null) {
                        throw new IllegalArgumentException("kernel " + kernelId + " has no task " + taskId
                                + " (ps lists the tasks)");
                    }
                    return new Target(k, t);
                }
            }
            throw new IllegalArgumentException("no kernel " + kernelId + " (ps lists the kernels)");
        }
        long taskId = number(arg, arg);
        for (KernelInspector k : kernels.get()) {
            KernelTask<?> t = k.find(taskId);
            if (t != null) {
                return new Target(k, t);
            }
        }
        throw new IllegalArgumentException("no task " + taskId + " (ps lists the tasks)");
    }

    private static long number(String digits, String whole) {
        try {
            long n = Long.parseLong(digits);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bad task id '" + clip(whole)
                + "': give a task id from ps, such as 12, or KERNEL:TASK, such as 1:12");
    }
}
