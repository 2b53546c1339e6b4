package org.curio.bench.kernel;

import java.util.Locale;
import java.util.Objects;

import org.curio.kernel.CoroutineBackend;
import org.curio.kernel.Kernel;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A kernel on the coroutine backend named by the {@code backend} parameter, created once per trial
 * and reused by every invocation, so that benchmarks measure work inside {@link Kernel#run} rather
 * than starting a kernel.
 *
 * <p>Only the curio cases of a benchmark take this state, so their baselines run once per fork
 * instead of once per backend.
 */
@State(Scope.Benchmark)
public class BackendState {
    /** The coroutine backend: {@code continuation} or {@code virtual}. */
    @Param({"continuation", "virtual"})
    public String backend = "virtual";

    private @Nullable Kernel kernel;                      // set by start(), closed by stop()

    /** Creates the state; JMH sets the parameter and then calls {@link #start()}. */
    public BackendState() {}

    /**
     * Creates the kernel on the chosen backend.
     *
     * @throws IllegalStateException if the continuation backend is chosen but the JVM lacks its export
     */
    @Setup(Level.Trial)
    public void start() {
        Kernel.Builder builder = Kernel.builder().backend(CoroutineBackend.valueOf(backend.toUpperCase(Locale.ROOT)));
        configure(builder);
        kernel = builder.build();
    }

    /**
     * Adds to the kernel's settings before it is built; states that measure a configured kernel
     * override this. Does nothing here.
     *
     * @param builder the builder, with the backend chosen
     */
    protected void configure(Kernel.Builder builder) {}

    /** {@return the kernel created by {@link #start()}} */
    public Kernel kernel() {
        return Objects.requireNonNull(kernel, "kernel");
    }

    /** Closes the kernel. */
    @TearDown(Level.Trial)
    public void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }
}
