package org.curio.traps;

import java.io.Serial;

/** Thrown when a second task waits to read a file descriptor. Curio: {@code ReadResourceBusy}. */
public final class ReadResourceBusyException extends ResourceBusyException {
    @Serial private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which descriptor is busy
     */
    public ReadResourceBusyException(String message) {
        super(message);
    }
}
