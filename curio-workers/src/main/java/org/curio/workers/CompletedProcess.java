package org.curio.workers;

import java.util.List;

/**
 * A child that has exited, and what it wrote to the pipes. Curio (and Python): {@code CompletedProcess}.
 *
 * @param args       the command
 * @param returnCode its exit status, or minus the number of the signal that ended it
 * @param stdout     what it wrote to stdout, if that was a pipe (else empty)
 * @param stderr     what it wrote to stderr, if that was a pipe (else empty)
 */
public record CompletedProcess(List<String> args, int returnCode, byte[] stdout, byte[] stderr) {
    /** Copies the command. */
    public CompletedProcess {
        args = List.copyOf(args);
    }

    /**
     * {@return this, if the return code is 0}
     *
     * @throws SubprocessException if it is not, with the status and the output
     */
    public CompletedProcess check() {
        if (returnCode != 0) {
            throw new SubprocessException(args, returnCode, stdout, stderr);
        }
        return this;
    }

    @Override
    public String toString() {
        return "CompletedProcess[" + args + ", returnCode=" + returnCode + ", stdout=" + stdout.length
                + " bytes, stderr=" + stderr.length + " bytes]";
    }
}
