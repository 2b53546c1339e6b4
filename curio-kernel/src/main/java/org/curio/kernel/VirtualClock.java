package org.curio.kernel;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import org.curio.kernel.spi.KernelClock;

/**
 * A kernel clock that stands still while tasks run and jumps to the next deadline when every task is
 * blocked, so tests of sleeps and timeouts run instantly and exactly (Trio's {@code MockClock} with
 * autojump).
 *
 * {@snippet :
 * var clock = VirtualClock.create();
 * try (var kernel = Kernel.builder().clock(clock).build()) {
 *     kernel.run(() -> Timeouts.sleep(Duration.ofHours(1)));
 * }
 * assert clock.elapsed().equals(Duration.ofHours(1));     // in microseconds of real time
 * }
 *
 * <p>When some task waits for something outside the kernel (a file descriptor, a future completed by
 * another thread), the kernel first waits up to the {@linkplain #autojumpThreshold() autojump
 * threshold} of real time for it before jumping, so a peer thread gets the chance to act first.
 *
 * <p><b>Thread safety.</b> The clock may be read and advanced from any thread.
 */
public final class VirtualClock implements KernelClock {
    private final AtomicLong now = new AtomicLong();
    private final Duration threshold;

    private VirtualClock(Duration threshold) {
        this.threshold = threshold;
    }

    /** {@return a clock at zero with an autojump threshold of 100 ms of real time} */
    public static VirtualClock create() {
        return new VirtualClock(Duration.ofMillis(100));
    }

    /**
     * Creates a clock at zero.
     *
     * @param threshold how long the kernel waits in real time for outside events before jumping
     * @return the clock
     * @throws IllegalArgumentException if the threshold is negative
     */
    public static VirtualClock withAutojumpThreshold(Duration threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.isNegative()) {
            throw new IllegalArgumentException("threshold must not be negative: " + threshold);
        }
        return new VirtualClock(threshold);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    /** {@return the time passed on this clock since it was created} */
    public Duration elapsed() {
        return Duration.ofNanos(now.get());
    }

    /** {@return how long the kernel waits for outside events before jumping} */
    public Duration autojumpThreshold() {
        return threshold;
    }

    /**
     * Moves the clock forward by {@code delta}; timers that become due fire at the kernel's next turn.
     *
     * @param delta how far to move
     * @throws IllegalArgumentException if {@code delta} is negative
     */
    public void advance(Duration delta) {
        if (delta.isNegative()) {
            throw new IllegalArgumentException("cannot move a clock backwards: " + delta);
        }
        now.addAndGet(delta.toNanos());
    }

    /**
     * Moves the clock forward to {@code nanoTime}; does nothing if it already reads that or later.
     *
     * @param nanoTime the time to move to
     */
    public void advanceTo(long nanoTime) {
        now.accumulateAndGet(nanoTime, Math::max);
    }

    @Override
    public String toString() {
        return "VirtualClock[" + elapsed() + "]";
    }
}
