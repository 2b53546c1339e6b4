package org.curio.kernel;

/**
 * How a kernel runs its tasks as coroutines. Both give the same semantics and pass the same tests;
 * they differ in speed, in the JVM option they need, and in what a task sees as its thread:
 *
 * <table class="striped">
 *   <caption>Backends</caption>
 *   <tr><th>backend</th><th>needs</th><th>{@code Thread.currentThread()} in a task</th>
 *       <th>trap inside a class initializer or under another native frame</th></tr>
 *   <tr><td>{@link #VIRTUAL}</td><td>nothing</td><td>the task's own virtual thread (so
 *       {@code ThreadLocal}s are per task)</td><td>works (the virtual thread may pin its carrier)</td></tr>
 *   <tr><td>{@link #CONTINUATION}</td><td>{@code --add-exports java.base/jdk.internal.vm=org.curio.traps}
 *       (and {@code =ALL-UNNAMED} on the class path)</td><td>the kernel's thread, shared by all tasks
 *       (so {@code ThreadLocal}s are shared)</td><td>fails with an {@code IllegalStateException} naming
 *       the cause, before anything is switched</td></tr>
 * </table>
 *
 * <p>A trap inside {@code synchronized} works on both backends (since JDK 24 a continuation may yield
 * while holding a monitor), but the monitor then stays held while other tasks run: another task of the
 * same kernel that tries to enter it blocks the whole kernel, on either backend. Use curio's locks
 * between tasks.
 *
 * <p>Use {@link TaskLocal} for per-task values on either backend.
 */
public enum CoroutineBackend {
    /**
     * Whatever the system property {@code org.curio.backend} names ({@code auto}, {@code virtual},
     * {@code continuation}); for {@code auto} or no property, the continuation backend if its JVM
     * option is present, otherwise virtual threads.
     */
    AUTO,
    /** One virtual thread per task, handed control with park/unpark. */
    VIRTUAL,
    /** One {@code jdk.internal.vm.Continuation} per task, run on the kernel's thread. */
    CONTINUATION;

    org.curio.traps.spi.Backend resolve() {
        return switch (this) {
            case AUTO -> org.curio.traps.spi.Backend.fromSystemProperty();
            case VIRTUAL -> org.curio.traps.spi.Backend.VIRTUAL;
            case CONTINUATION -> org.curio.traps.spi.Backend.CONTINUATION.checkAvailable();
        };
    }
}
