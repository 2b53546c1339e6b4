package org.curio.traps.spi;

import java.util.Locale;

import org.curio.traps.internal.ContinuationCoroutine;
import org.curio.traps.internal.VirtualThreadCoroutine;

/**
 * The coroutine mechanisms a kernel can run tasks on.
 *
 * <p>{@link #VIRTUAL} works everywhere and needs no JVM flag. {@link #CONTINUATION} is faster but
 * needs {@code --add-exports java.base/jdk.internal.vm=org.curio.traps} (and
 * {@code =ALL-UNNAMED} on the class path). {@link #select(String)} resolves {@code auto} to
 * {@code CONTINUATION} when that export is present.
 */
public enum Backend {
    /**
     * One virtual thread per task; a task that switches out runs the kernel's next scheduling step on
     * its own thread and hands control straight to the next task (see {@link Scheduler}).
     */
    VIRTUAL,
    /** One {@code jdk.internal.vm.Continuation} per task, run on the kernel's own thread. */
    CONTINUATION;

    /** The system property that chooses the default backend: {@code auto}, {@code virtual}, {@code continuation}. */
    public static final String PROPERTY = "org.curio.backend";

    /** {@return whether the continuation backend can be used in this JVM} */
    public static boolean continuationsAvailable() {
        return ContinuationCoroutine.available();
    }

    /** {@return the backend named by the system property {@value #PROPERTY}, {@code auto} if unset} */
    public static Backend fromSystemProperty() {
        return select(System.getProperty(PROPERTY, "auto"));
    }

    /**
     * Resolves a backend name.
     *
     * @param name {@code auto}, {@code virtual} or {@code continuation}, in any case
     * @return the backend
     * @throws IllegalArgumentException if the name is unknown
     * @throws IllegalStateException    if {@code continuation} is named but unavailable
     */
    public static Backend select(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "auto", "" -> continuationsAvailable() ? CONTINUATION : VIRTUAL;
            case "virtual" -> VIRTUAL;
            case "continuation" -> CONTINUATION.checkAvailable();
            default -> throw new IllegalArgumentException(
                    "unknown coroutine backend '" + name + "': expected auto, virtual or continuation");
        };
    }

    /**
     * Checks that this backend can run here.
     *
     * @return this backend
     * @throws IllegalStateException if it cannot, naming the JVM option that is missing
     */
    public Backend checkAvailable() {
        if (this == CONTINUATION && !continuationsAvailable()) {
            throw new IllegalStateException("the continuation backend needs the JVM option "
                    + "--add-exports java.base/jdk.internal.vm=org.curio.traps "
                    + "(or =ALL-UNNAMED on the class path)");
        }
        return this;
    }

    /**
     * Creates a coroutine that will run {@code body} with {@code handler} carrying out its traps.
     *
     * @param body    the task's body; it must not throw
     * @param handler the task's trap handler
     * @param name    the task's name, for thread dumps
     * @param scheduler the kernel's run loop in steps, which {@link #VIRTUAL} coroutines run on their own
     *                  threads when they switch out; {@link #CONTINUATION} ignores it
     * @return the coroutine, not yet started
     */
    public Coroutine create(Runnable body, TrapHandler handler, String name, Scheduler scheduler) {
        return switch (this) {
            case VIRTUAL -> new VirtualThreadCoroutine(body, handler, name, scheduler);
            case CONTINUATION -> new ContinuationCoroutine(body, handler);
        };
    }
}
