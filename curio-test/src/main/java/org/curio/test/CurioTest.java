package org.curio.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a JUnit 5 test method that runs as the main task of a fresh curio kernel, on a
 * {@link org.curio.kernel.VirtualClock} unless {@link #realClock()} is set, so sleeps and timeouts
 * take no real time and happen at exact instants.
 *
 * {@snippet :
 * class ServerTest {
 *     @CurioTest
 *     void timesOutAnIdleClient(VirtualClock clock, Steps steps) throws Exception {
 *         MemoryNetwork network = MemoryNetwork.create();
 *         Listener<MemoryConnection> listener = network.listen("kv");
 *         try (TaskGroup<Object> g = TaskGroup.open()) {
 *             g.spawn(() -> Network.serve(listener, Server::handle));
 *             try (var client = network.connect("kv")) {
 *                 steps.record(client.recv(100).length);      // the server hangs up after 30 s
 *             }
 *             assertEquals(Duration.ofSeconds(30), clock.elapsed());
 *             g.cancelRemaining();
 *         }
 *         steps.assertEvents(0);
 *     }
 * }
 * }
 *
 * <p>({@code MemoryNetwork} and {@code MemoryConnection} are in {@code org.curio.io.testing}, module
 * curio-io-testing; {@code Listener} and {@code Network} in {@code org.curio.io}.)
 *
 * <p>The method may take any of these parameters: {@link org.curio.kernel.Kernel} (the kernel it runs
 * on), {@link org.curio.kernel.VirtualClock} (its clock; not with {@link #realClock()}),
 * {@link org.curio.kernel.spi.KernelClock}, {@link Steps} (an ordered-steps checker) and {@link Trace}
 * (the kernel's trace).
 *
 * <p>The test fails, with the end of the trace, if the method throws, if a task it spawned crashed
 * and nobody joined it, if a non-daemon task is still running when it returns, if the kernel still
 * holds timers, descriptor registrations or future waits when it returns with no task left or after
 * it is closed, if the process's count of open file
 * descriptors changed (Linux; see {@link #checkDescriptors()}), or if the test takes more than
 * {@link #timeLimitSeconds()} of real time; then the message lists every task and where it is blocked.
 *
 * @see CurioExtension
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Test
@ExtendWith(CurioExtension.class)
public @interface CurioTest {
    /** {@return whether to run on the system clock instead of a virtual clock} */
    boolean realClock() default false;

    /**
     * {@return how long, in milliseconds of real time, the virtual clock waits for outside events (a
     * descriptor, a future completed by a thread) before jumping} See
     * {@link org.curio.kernel.VirtualClock#withAutojumpThreshold}; zero suits tests whose futures are
     * completed by their own tasks.
     */
    long autojumpThresholdMillis() default 100;

    /** {@return the most real time, in seconds, the test may take, including closing its kernel} */
    long timeLimitSeconds() default 10;

    /**
     * {@return whether to fail when the process's open file descriptors differ before and after} Turn it
     * off for tests that open descriptors shared with other tests (a server kept in a static field).
     */
    boolean checkDescriptors() default true;
}
