package org.curio.workers;

import java.io.Serial;
import java.util.Optional;

/**
 * The output a child had written when {@link Subprocess#communicate}, {@link Subprocess.Builder#run}
 * or {@link Subprocess.Builder#checkOutput} was cancelled or timed out. It travels as a suppressed
 * exception of the {@link org.curio.traps.CancelledException}; {@link #of(Throwable)} finds it. Curio:
 * the {@code stdout} and {@code stderr} attributes it sets on the cancellation.
 *
 * {@snippet :
 * try {
 *     Timeouts.after(Duration.ofSeconds(5), () -> Subprocess.command("slow").checkOutput());
 * } catch (TaskTimeoutException e) {
 *     byte[] soFar = PartialOutput.of(e).map(PartialOutput::stdout).orElse(new byte[0]);
 * }
 * }
 */
public final class PartialOutput extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;
    private final transient byte[] stdout;
    private final transient byte[] stderr;

    PartialOutput(byte[] stdout, byte[] stderr) {
        super("output read before the cancellation: " + stdout.length + " bytes of stdout, " + stderr.length
                + " of stderr", null, false, false);
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * {@return the partial output attached to {@code cancellation}, if any}
     *
     * @param cancellation a cancellation (or any exception) that left a subprocess call
     */
    public static Optional<PartialOutput> of(Throwable cancellation) {
        for (Throwable t : cancellation.getSuppressed()) {
            if (t instanceof PartialOutput p) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** {@return what the child wrote to stdout before the cancellation} */
    public byte[] stdout() {
        return stdout.clone();
    }

    /** {@return what the child wrote to stderr before the cancellation} */
    public byte[] stderr() {
        return stderr.clone();
    }
}
