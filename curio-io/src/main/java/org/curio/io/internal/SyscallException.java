package org.curio.io.internal;

import java.io.IOException;
import java.io.Serial;

/**
 * A failed system call that has no closer JDK exception; carries the error number so that code in
 * this module can tell, for example, descriptor exhaustion from other failures.
 */
public final class SyscallException extends IOException {
    @Serial private static final long serialVersionUID = 1L;
    private final int errno;

    /**
     * Creates the exception.
     *
     * @param message what failed, and why
     * @param errno   the positive error number
     * @param cause   Netty's exception, if any
     */
    public SyscallException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** {@return the positive error number} */
    public int errno() {
        return errno;
    }
}
