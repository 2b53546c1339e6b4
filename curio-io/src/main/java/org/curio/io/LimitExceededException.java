package org.curio.io;

import java.io.IOException;
import java.io.Serial;

/**
 * A read that accumulates bytes (a line, or everything up to the end of a stream) met more bytes than
 * its limit allows, and failed before buffering past the limit. The message names the limit and how
 * to raise it. See {@link ByteStream#readLineAtMost(int)} for the state the stream is left in.
 *
 * <p>A {@link Network#serve server} treats this failure of a client handler as the client's doing:
 * one line at {@code DEBUG}, not a warning.
 */
public final class LimitExceededException extends IOException {
    @Serial private static final long serialVersionUID = 1L;
    private final long limit;

    /**
     * Creates the exception.
     *
     * @param message what exceeded which limit, and how to raise it
     * @param limit   the limit, in bytes
     */
    public LimitExceededException(String message, long limit) {
        super(message);
        this.limit = limit;
    }

    /** {@return the limit that was exceeded, in bytes} */
    public long limit() {
        return limit;
    }
}
