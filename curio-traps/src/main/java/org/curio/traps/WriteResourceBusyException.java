package org.curio.traps;

import java.io.Serial;

/** Thrown when a second task waits to write a file descriptor. Curio: {@code WriteResourceBusy}. */
public final class WriteResourceBusyException extends ResourceBusyException {
    @Serial private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which descriptor is busy
     */
    public WriteResourceBusyException(String message) {
        super(message);
    }
}
