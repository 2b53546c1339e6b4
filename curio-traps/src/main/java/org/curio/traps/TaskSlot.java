package org.curio.traps;

import java.util.Objects;

/**
 * A key for one value per task that library code keeps in the kernel's task: the open timeout blocks
 * of a task, its task-local values, the group that supervises it. Read and written with the
 * {@link Trap.GetSlot} and {@link Trap.SetSlot} traps; the kernel stores the values and never reads
 * them. Slots are compared by identity; make one per purpose and keep it in a constant.
 *
 * {@snippet :
 * static final TaskSlot<Deadlines> DEADLINES = TaskSlot.of("Timeouts.deadlines", TaskSlot.Scope.OWN);
 * Task<?> me = Traps.call(new Trap.GetCurrent());
 * Deadlines d = Traps.call(new Trap.GetSlot<>(me, DEADLINES));
 * }
 *
 * @param <V> the type of the values
 */
public final class TaskSlot<V> {
    /** How long a task's value in a slot lasts, and whether the tasks it spawns start with it. */
    public enum Scope {
        /** The task's own: a new task starts without a value. */
        OWN,
        /**
         * Inherited: a task spawned by one that has a value starts with the same value (curio's
         * context variables, copied at spawn). Values should be immutable, since parent and child
         * then share them.
         */
        INHERITED,
        /**
         * Until the task's outcome is taken by {@link Task#join()}: the kernel drops the value when
         * the task is joined, so a supervisor can tell that somebody joined the task directly (curio's
         * {@code Task.join} takes the task out of its group).
         */
        UNTIL_JOINED
    }

    private final String name;
    private final Scope scope;

    private TaskSlot(String name, Scope scope) {
        this.name = name;
        this.scope = scope;
    }

    /**
     * Creates a slot.
     *
     * @param name  what the slot is for, shown by {@link #toString()}
     * @param scope how long values last
     * @param <V>   the type of the values
     * @return a new slot, different from every other
     */
    public static <V> TaskSlot<V> of(String name, Scope scope) {
        return new TaskSlot<>(Objects.requireNonNull(name, "name"), Objects.requireNonNull(scope, "scope"));
    }

    /** {@return what the slot is for} */
    public String name() {
        return name;
    }

    /** {@return how long values last} */
    public Scope scope() {
        return scope;
    }

    @Override
    public String toString() {
        return "TaskSlot[" + name + ", " + scope + "]";
    }
}
