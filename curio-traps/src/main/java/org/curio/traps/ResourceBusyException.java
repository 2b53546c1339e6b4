package org.curio.traps;

import java.io.Serial;

/**
 * Thrown when a task asks to wait on a resource another task is already waiting on for the same
 * operation. Curio: {@code ResourceBusy}.
 */
public sealed class ResourceBusyException extends CurioException
        permits ReadResourceBusyException, WriteResourceBusyException {
    @Serial private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which resource is busy
     */
    public ResourceBusyException(String message) {
        super(message);
    }
}
