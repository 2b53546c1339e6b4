package org.curio.workers;

import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.curio.traps.CurioException;

/**
 * A child exited with a non-zero status where success was required ({@link Subprocess.Builder#checkOutput},
 * {@link CompletedProcess#check()}). Carries the status and the output. Curio (and Python):
 * {@code CalledProcessError}.
 */
public final class SubprocessException extends CurioException {
    @Serial private static final long serialVersionUID = 1L;
    private final List<String> args;
    private final int returnCode;
    private final transient byte[] stdout;
    private final transient byte[] stderr;

    /**
     * Creates the exception.
     *
     * @param args       the command
     * @param returnCode its status: the exit code, or minus the signal's number
     * @param stdout     what it wrote to stdout
     * @param stderr     what it wrote to stderr
     */
    public SubprocessException(List<String> args, int returnCode, byte[] stdout, byte[] stderr) {
        super(message(args, returnCode, stderr));
        this.args = List.copyOf(args);
        this.returnCode = returnCode;
        this.stdout = stdout.clone();
        this.stderr = stderr.clone();
    }

    private static String message(List<String> args, int returnCode, byte[] stderr) {
        String how = returnCode < 0 ? "was killed by signal " + (-returnCode) : "exited with status " + returnCode;
        String tail = new String(stderr, 0, Math.min(stderr.length, 200), StandardCharsets.UTF_8).strip();
        return "command " + args + " " + how + (tail.isEmpty() ? "" : "; stderr: " + tail);
    }

    /** {@return the command} */
    public List<String> args() {
        return args;
    }

    /** {@return the exit status, or minus the number of the signal that ended the child} */
    public int returnCode() {
        return returnCode;
    }

    /** {@return what the child wrote to stdout} */
    public byte[] stdout() {
        return stdout.clone();
    }

    /** {@return what the child wrote to stderr} */
    public byte[] stderr() {
        return stderr.clone();
    }
}
