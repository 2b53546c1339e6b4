package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.curio.kernel.Kernel;
import org.junit.jupiter.api.Test;

/** {@link UniversalResult}: curio's {@code TestUniversalResult}, with a second kernel in place of asyncio. */
class UniversalResultTest {
    /** A value travels thread → kernel A's task → kernel B's task → plain thread. */
    @Test
    void universalValue() throws Exception {
        var r1 = new UniversalResult<Integer>();
        var r2 = new UniversalResult<Integer>();
        var r3 = new UniversalResult<Integer>();
        UniversalQueueTest.thread(() -> r1.setValue(2 + 3));
        CompletableFuture<Void> other = UniversalQueueTest.thread(() -> {
            try (Kernel k = Kernel.create()) {
                k.run(() -> r2.setValue(r1.unwrap()));
            }
        });
        SyncHarness.runVoid(() -> r3.setValue(r2.unwrap()));
        assertEquals(5, r3.unwrap());
        other.get();
        assertEquals("UniversalResult[value=5]", r3.toString());
    }

    /** An exception travels the same way, as the cause of ExecutionException at each step. */
    @Test
    void universalError() throws Exception {
        var r1 = new UniversalResult<Integer>();
        var r2 = new UniversalResult<Integer>();
        var r3 = new UniversalResult<Integer>();
        UniversalQueueTest.thread(() -> {
            try {
                r1.setValue(Integer.parseInt("2x"));
            } catch (NumberFormatException e) {
                r1.setException(e);
            }
        });
        CompletableFuture<Void> other = UniversalQueueTest.thread(() -> {
            try (Kernel k = Kernel.create()) {
                k.run(() -> {
                    try {
                        r2.setValue(r1.unwrap());
                    } catch (ExecutionException e) {
                        r2.setException(e.getCause());
                    }
                });
            }
        });
        SyncHarness.runVoid(() -> {
            try {
                r3.setValue(r2.unwrap());
            } catch (ExecutionException e) {
                r3.setException(e.getCause());
            }
        });
        var e = assertThrows(ExecutionException.class, r3::unwrap);
        assertInstanceOf(NumberFormatException.class, e.getCause());
        other.get();
        assertTrue(r3.statistics().failed());
    }

    /** Setting a result twice fails at the call and keeps the first outcome. */
    @Test
    void setOnce() throws Exception {
        var r = new UniversalResult<String>();
        r.setValue("a");
        var e = assertThrows(IllegalStateException.class, () -> r.setException(new RuntimeException("b")));
        assertTrue(e.getMessage().contains("set already"), e.getMessage());
        assertEquals("a", r.unwrap());
        assertEquals(new UniversalResult.Statistics(true, false, 0), r.statistics());
    }
}
