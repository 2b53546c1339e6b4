package org.curio.kernel.spi;

/**
 * The source of a kernel's time, in nanoseconds from an arbitrary origin. The default is the
 * monotonic system clock; {@link org.curio.kernel.VirtualClock} makes time jump to the next deadline
 * when every task is blocked, so tests of timeouts run instantly and exactly.
 */
public interface KernelClock {
    /** {@return the current time in nanoseconds; never decreases} */
    long nanoTime();

    /** The monotonic system clock ({@link System#nanoTime()}). */
    KernelClock SYSTEM = System::nanoTime;
}
