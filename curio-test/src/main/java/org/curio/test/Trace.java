package org.curio.test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.curio.kernel.Kernel;
import org.curio.kernel.spi.Activation;
import org.curio.kernel.spi.KernelClock;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.jspecify.annotations.Nullable;

/**
 * Records everything a kernel decides, one line per event: each task's creation, each run, every trap
 * it issues, every wake-up, cancellation, timeout and termination, stamped with the kernel clock.
 * Attach it with {@code Kernel.builder().activation(trace)}; {@link Trial} and {@link CurioTest} do so
 * and show the trace when a test fails.
 *
 * {@snippet :
 * [0.000000] #1 main run
 * [0.000000] #1 main spawn reader
 * [0.000000] #2 reader created by #1
 * [0.000000] #1 main sleep until 1.000000
 * [0.000000] #2 reader run
 * [0.000000] #2 reader wait EVENT_WAIT
 * [1.000000] #1 main ready
 * }
 *
 * <p><b>Determinism.</b> Lines name tasks by their order of creation in this kernel ({@code #1} is
 * the main task) and by the names given at spawn, never by process-wide ids, and describe traps by
 * what they are for, never by identity hash codes or descriptor numbers. So on a {@link
 * org.curio.kernel.VirtualClock}, with no outside events, the same program and the same {@linkplain
 * Kernel.Builder#perturbSchedule(long) perturbation seed} give a byte-identical trace.
 *
 * <p>The trace keeps the last {@linkplain #create(int) {@code capacity}} lines; {@link #digest()}
 * covers every line ever recorded, so two long runs can still be compared.
 *
 * <p><b>Thread safety.</b> Recording happens on the kernel; reading is safe from any thread.
 */
public final class Trace implements Activation {
    /** How many lines {@link #create()} keeps. */
    public static final int DEFAULT_CAPACITY = 100_000;

    private final int capacity;
    private final ArrayDeque<Event> lines = new ArrayDeque<>();
    private final Map<Long, String> labels = new HashMap<>();
    private @Nullable KernelClock clock;
    private long count;
    private long droppedDigest = FNV_OFFSET;              // the digest of the lines no longer kept

    /**
     * One recorded event, formatted only when read: recording must stay cheap, since a traced kernel
     * records several events per trap.
     *
     * @param nanos the kernel clock
     * @param task  the task's label
     * @param what  the event: a description, or the trap to describe
     */
    private record Event(long nanos, String task, Object what) {}

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Trace(int capacity) {
        this.capacity = capacity;
    }

    /** {@return a trace that keeps the last {@value #DEFAULT_CAPACITY} lines} */
    public static Trace create() {
        return new Trace(DEFAULT_CAPACITY);
    }

    /**
     * Creates a trace.
     *
     * @param capacity how many of the latest lines to keep; positive
     * @return the trace
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    public static Trace create(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        return new Trace(capacity);
    }

    // ------------------------------------------------------------------ reading

    /** {@return the lines kept, oldest first} */
    public synchronized List<String> lines() {
        List<String> out = new ArrayList<>(lines.size());
        for (Event e : lines) {
            out.add(format(e));
        }
        return out;
    }

    /** {@return how many lines were ever recorded, including those no longer kept} */
    public synchronized long count() {
        return count;
    }

    /** {@return a 64-bit hash (FNV-1a) of every line ever recorded, in order} */
    public synchronized long digest() {
        long digest = droppedDigest;
        for (Event e : lines) {
            digest = fold(digest, format(e));
        }
        return digest;
    }

    private static long fold(long digest, String line) {
        long d = digest;
        for (int i = 0; i < line.length(); i++) {
            d = (d ^ line.charAt(i)) * FNV_PRIME;
        }
        return (d ^ '\n') * FNV_PRIME;
    }

    /**
     * {@return the last {@code n} lines kept, one per line, preceded by a note of how many were left out}
     *
     * @param n how many lines; not negative
     */
    public synchronized String tail(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        List<String> all = lines();
        int from = Math.max(0, all.size() - n);
        StringBuilder sb = new StringBuilder();
        long omitted = count - (all.size() - from);
        if (omitted > 0) {
            sb.append("... ").append(omitted).append(" earlier lines omitted\n");
        }
        for (String line : all.subList(from, all.size())) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /** {@return every line kept, each ending in a newline} */
    @Override
    public synchronized String toString() {
        return tail(lines.size());
    }

    // ------------------------------------------------------------------ recording

    @Override
    public void activate(Kernel kernel) {
        clock = kernel.clock();
    }

    @Override
    public void created(Task<?> task) {
        String label = label(task);
        String parent = task.parentId().isPresent() ? labels.get(task.parentId().getAsLong()) : null;
        add(label, parent == null ? "created" : "created by " + number(parent));
    }

    @Override
    public void running(Task<?> task) {
        add(label(task), "run");
    }

    @Override
    public void trap(Task<?> task, Trap<?> trap) {
        add(label(task), trap);
    }

    @Override
    public void woken(Task<?> task) {
        add(label(task), "ready");
    }

    @Override
    public void cancelled(Task<?> task, Exception reason) {
        add(label(task), "cancelled: " + reason.getClass().getSimpleName());
    }

    @Override
    public void terminated(Task<?> task, @Nullable Throwable failure) {
        add(label(task), failure == null ? "returned" : "failed: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : " " + failure.getMessage()));
    }

    @Override
    public void unjoinedFailure(Task<?> task, Throwable failure) {
        add(label(task), "crashed and nobody joined it");
    }

    private synchronized void add(String task, Object event) {
        count++;
        if (lines.size() == capacity) {
            droppedDigest = fold(droppedDigest, format(lines.pollFirst()));
        }
        lines.addLast(new Event(now(), task, event));
    }

    private String format(Event e) {
        String what = e.what() instanceof Trap<?> trap ? describe(trap) : (String) e.what();
        return "[" + seconds(e.nanos()) + "] " + e.task() + " " + what;
    }

    private long now() {
        KernelClock c = clock;
        return c == null ? 0 : c.nanoTime();
    }

    /** {@return "#n" or "#n name": the order of creation in this kernel, and the name given at spawn} */
    private synchronized String label(Task<?> task) {
        String label = labels.get(task.id());
        if (label == null) {
            String name = task.name();
            boolean unnamed = name.equals("Task-" + task.id());
            label = "#" + (labels.size() + 1) + (unnamed ? "" : " " + name);
            labels.put(task.id(), label);
        }
        return label;
    }

    private String describe(Trap<?> trap) {
        return switch (trap) {
            case Trap.ReadWait r -> "read-wait";
            case Trap.WriteWait w -> "write-wait";
            case Trap.FutureWait f -> "future-wait";
            case Trap.Sleep(long deadline) -> deadline == Trap.YIELD_DEADLINE ? "yield" : "sleep until " + seconds(deadline);
            case Trap.SchedWait(var queue, String state) -> "wait " + state;
            case Trap.IoRelease r -> "io-release";
            case Trap.Spawn<?>(var body, String name, boolean daemon) ->
                    "spawn" + (name.isEmpty() ? "" : " " + name) + (daemon ? " (daemon)" : "");
            case Trap.CancelTask(Task<?> target, Exception e) ->
                    "cancel " + labelOf(target) + " with " + e.getClass().getSimpleName();
            case Trap.SchedWake(var queue, int n) -> "wake " + (n == Integer.MAX_VALUE ? "all" : String.valueOf(n));
            case Trap.GetKernel<?> k -> "get-kernel";
            case Trap.GetCurrent c -> "get-current";
            case Trap.SetTimeout(long deadline) -> "set-timeout " + seconds(deadline);
            case Trap.UnsetTimeout u -> "unset-timeout";
            case Trap.Clock c -> "clock";
            case Trap.Budget b -> "budget";
            case Trap.GetSlot<?>(var task, var slot) -> "get-slot " + slot.name() + " of " + labelOf(task);
            case Trap.SetSlot<?>(var task, var slot, var value) -> (value == null ? "clear-slot " : "set-slot ")
                    + slot.name() + " of " + labelOf(task);
            case Trap.AllowCancel(boolean allow) -> allow ? "allow-cancel" : "disallow-cancel";
            case Trap.SetCancellation(var e) -> e == null ? "take-cancellation" : "set-cancellation";
            case Trap.WakeOnExit(var task, var queue) -> "wake-on-exit of " + labelOf(task);
        };
    }

    private String labelOf(Task<?> task) {
        String label = labels.get(task.id());
        return label == null ? "a task of another kernel" : number(label);
    }

    private static String number(String label) {
        int space = label.indexOf(' ');
        return space < 0 ? label : label.substring(0, space);
    }

    private static String seconds(long nanos) {
        if (nanos == Long.MAX_VALUE) {
            return "never";
        }
        String micros = Long.toString(1_000_000 + Math.abs(nanos % 1_000_000_000L) / 1_000);
        return (nanos / 1_000_000_000L) + "." + micros.substring(1);
    }
}
