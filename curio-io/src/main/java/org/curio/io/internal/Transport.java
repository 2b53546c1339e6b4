package org.curio.io.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.curio.traps.CancelledException;

/**
 * What a buffered stream needs from whatever carries its bytes: a descriptor ({@link NativeFd}) or any
 * {@link org.curio.io.Connection}.
 */
public interface Transport {
    /** The value {@link #read} answers at end of stream. */
    int EOF = -1;

    /**
     * Fails unless the transport is open.
     *
     * @throws IOException if it is closed
     */
    void ensureOpen() throws IOException;

    /**
     * Suspends the calling task until some bytes arrive, and puts as many as fit into {@code dst}.
     *
     * @param dst where to put them
     * @return the count, 0 if {@code dst} has no room, or {@link #EOF}
     * @throws IOException        if the transport is closed or fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    int read(ByteBuffer dst) throws IOException, CancelledException;

    /**
     * Suspends the calling task until some bytes arrive, and returns up to {@code max} of them.
     *
     * @param max the most to return; positive
     * @return the bytes; empty at end of stream
     * @throws IOException        if the transport is closed or fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    byte[] readBytes(int max) throws IOException, CancelledException;

    /**
     * Suspends the calling task until all of {@code src} is written, advancing its position as bytes go.
     *
     * @param src the bytes
     * @throws IOException        if the transport is closed or fails
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    void writeAll(ByteBuffer src) throws IOException, CancelledException;

    /** Closes the transport; never suspends. */
    void close();

    /** {@return whether the transport is open} */
    boolean isOpen();
}
