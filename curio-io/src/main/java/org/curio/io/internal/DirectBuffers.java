package org.curio.io.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A small process-wide pool of direct scratch buffers through which heap data reaches the native
 * system calls (which need direct memory).
 */
public final class DirectBuffers {
    /*
     * Implementation notes. A buffer is borrowed only between two points where the borrowing task
     * cannot suspend (around one system call and one copy), so a kernel needs at most one at a time;
     * the slots exist for the several kernels (threads) a process may run. The slot scan starts at a
     * hash of the thread so that kernels on different threads rarely contend. A full pool drops the
     * returned buffer; the garbage collector frees it.
     */
    /** The size of every scratch buffer: the most one system call moves through it. */
    public static final int SIZE = 64 * 1024;
    private static final int SLOTS = 16;
    private static final AtomicReferenceArray<ByteBuffer> POOL = new AtomicReferenceArray<>(SLOTS);

    private DirectBuffers() {}

    /** {@return a cleared direct buffer of {@link #SIZE} bytes; give it back with {@link #release}} */
    public static ByteBuffer acquire() {
        int start = (int) Thread.currentThread().threadId();
        for (int i = 0; i < SLOTS; i++) {
            int slot = (start + i) & (SLOTS - 1);
            ByteBuffer b = POOL.get(slot);
            if (b != null && POOL.compareAndSet(slot, b, null)) {
                return b.clear();
            }
        }
        return ByteBuffer.allocateDirect(SIZE);
    }

    /**
     * Returns a buffer taken with {@link #acquire}.
     *
     * @param buffer the buffer
     */
    public static void release(ByteBuffer buffer) {
        int start = (int) Thread.currentThread().threadId();
        for (int i = 0; i < SLOTS; i++) {
            int slot = (start + i) & (SLOTS - 1);
            if (POOL.get(slot) == null && POOL.compareAndSet(slot, null, buffer)) {
                return;
            }
        }
    }
}
