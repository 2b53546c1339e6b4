package org.curio.sync;

import java.io.Serial;

/**
 * Thrown by a getter of a closed queue once every item put before {@code close()} has been taken: the
 * end of the stream of items, as {@link java.io.EOFException} ends a byte stream. Trio:
 * {@code EndOfChannel}.
 *
 * <p>It is unchecked, so that code which never closes its queues does not have to catch it; a consumer
 * of a queue that is closed at the end of its stream catches it to end its loop:
 *
 * {@snippet :
 * try {
 *     while (true) {
 *         handle(queue.get());
 *     }
 * } catch (EndOfQueueException end) {
 *     // every item was handled
 * }
 * }
 *
 * @see TaskQueue#close()
 * @see UniversalQueue#close()
 */
public final class EndOfQueueException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the queue, such as {@code "Queue closed and empty"}
     */
    public EndOfQueueException(String message) {
        super(message);
    }
}
