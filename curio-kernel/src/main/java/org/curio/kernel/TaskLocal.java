package org.curio.kernel;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.curio.traps.Task;
import org.curio.traps.TaskSlot;
import org.curio.traps.Trap;
import org.curio.traps.Traps;

/**
 * A value per task, inherited by the tasks it spawns (each child starts with a copy of its parent's
 * values at spawn time). Use it instead of {@code ThreadLocal}, whose scope differs between the
 * coroutine backends (see {@link CoroutineBackend}). Curio: {@code ContextTask} with contextvars.
 *
 * {@snippet :
 * static final TaskLocal<String> REQUEST_ID = TaskLocal.withInitial(() -> "-");
 * REQUEST_ID.set("r-42");
 * Curio.spawn(() -> log(REQUEST_ID.get()));       // prints r-42
 * }
 *
 * <p><b>Thread safety.</b> Only curio tasks may use a task-local; elsewhere it throws
 * {@link IllegalStateException}. Methods never suspend.
 *
 * @param <T> the type of the value
 */
public final class TaskLocal<T> {
    /*
     * Implementation notes. Each task-local is an inherited slot of the kernel's task (Trap.GetSlot,
     * Trap.SetSlot): the kernel copies a parent's inherited slots into a child at spawn, which is
     * exactly the copy of the parent's values that curio's contextvars make.
     */
    private final Supplier<? extends T> initial;
    private final TaskSlot<T> slot = TaskSlot.of("TaskLocal", TaskSlot.Scope.INHERITED);

    private TaskLocal(Supplier<? extends T> initial) {
        this.initial = initial;
    }

    /**
     * Creates a task-local whose value, until set, is computed by {@code initial}.
     *
     * @param initial supplies a task's first value; it must not return null
     * @param <T>     the value type
     * @return the task-local
     */
    public static <T> TaskLocal<T> withInitial(Supplier<? extends T> initial) {
        return new TaskLocal<>(Objects.requireNonNull(initial, "initial"));
    }

    /**
     * Creates a task-local without an initial value.
     *
     * @param <T> the value type
     * @return the task-local
     */
    public static <T> TaskLocal<T> create() {
        return new TaskLocal<>(() -> null);
    }

    /**
     * Returns the calling task's value, computing the initial one if it has none.
     *
     * @return the value
     * @throws java.util.NoSuchElementException if there is no value and no initial value
     */
    public T get() {
        return find().orElseThrow(() -> new java.util.NoSuchElementException("task-local has no value"));
    }

    /** {@return the calling task's value, or the initial one, if any} */
    public Optional<T> find() {
        Task<?> task = task();
        T value = Traps.call(new Trap.GetSlot<>(task, slot));
        if (value == null) {
            value = initial.get();
            if (value != null) {
                Traps.call(new Trap.SetSlot<>(task, slot, value));
            }
        }
        return Optional.ofNullable(value);
    }

    /**
     * Sets the calling task's value.
     *
     * @param value the value
     */
    public void set(T value) {
        Objects.requireNonNull(value, "value");
        Traps.call(new Trap.SetSlot<>(task(), slot, value));
    }

    /** Removes the calling task's value. */
    public void remove() {
        Traps.call(new Trap.SetSlot<>(task(), slot, null));
    }

    private static Task<?> task() {
        return Traps.call(new Trap.GetCurrent());
    }
}
