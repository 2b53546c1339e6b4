package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** {@link RateLimitedLogger}: the first occurrence, then one line per interval saying how many it stands for. */
class RateLimitedLoggerTest {
    /**
     * The first occurrence is logged at its level, the others within the interval at DEBUG only, and
     * the first one after the interval at its level with the count of those in between.
     */
    @Test
    void reportsTheFirstThenOneLinePerInterval() {
        AtomicLong clock = new AtomicLong(1_000);
        String name = "org.curio.kernel.RateLimitedLoggerTest.interval";
        var limited = new RateLimitedLogger(name, Duration.ofSeconds(10), clock::get);
        List<String> lines;
        try (var log = TestSupport.LogCapture.on(name)) {
            for (int i = 1; i <= 5; i++) {
                int n = i;
                limited.log(System.Logger.Level.WARNING, () -> "overrun " + n);
                clock.addAndGet(Duration.ofSeconds(3).toNanos());
            }
            limited.debug(() -> "harmless");
            limited.log(System.Logger.Level.WARNING, () -> "overrun 6");
            lines = log.messages();
        }
        assertEquals(List.of("WARNING overrun 1", "FINE overrun 2", "FINE overrun 3", "FINE overrun 4",
                "WARNING overrun 5 (3 more since the last report, logged at DEBUG)", "FINE harmless",
                "FINE overrun 6"), lines);
    }

    /** 100,000 occurrences at the default level give one record, and the suppressed messages are never made. */
    @Test
    void aFloodGivesOneRecordAtTheDefaultLevel() {
        String name = "org.curio.kernel.RateLimitedLoggerTest.flood";
        var limited = new RateLimitedLogger(name, Duration.ofMinutes(1));
        AtomicLong made = new AtomicLong();
        List<String> lines;
        try (var log = TestSupport.LogCapture.atDefaultLevel(name)) {
            for (int i = 0; i < 100_000; i++) {
                limited.log(System.Logger.Level.WARNING, () -> "overrun " + made.incrementAndGet());
            }
            lines = log.messages();
        }
        assertEquals(List.of("WARNING overrun 1"), lines);
        assertEquals(1, made.get());
    }
}
