package org.curio.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.curio.io.internal.Pidfd;
import org.curio.kernel.Kernel;
import org.curio.kernel.Timeouts;
import org.curio.traps.TaskTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Signal queues and events with real signals sent to this JVM by pid, on real time with loose bounds:
 * order, merged bursts, tasks and threads, cancellation, refused signals, restored handlers and
 * re-delivery of a signal nobody took.
 */
class SignalQueueTest {
    private static final long SELF = ProcessHandle.current().pid();

    private static void send(Signal s) throws IOException {
        Pidfd.kill((int) SELF, s.number());
    }

    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);                              // real time: the VM's handler thread must run
    }

    /** Spaced signals of several kinds all arrive, in the order they were sent (a plain thread takes them). */
    @Test
    void spacedSignalsArriveInOrder() throws Exception {
        List<Signal> sent = List.of(Signal.USR1, Signal.HUP, Signal.WINCH, Signal.USR1, Signal.WINCH, Signal.HUP);
        List<Signal> got = new ArrayList<>();
        try (SignalQueue q = SignalQueue.open(Signal.USR1, Signal.HUP, Signal.WINCH)) {
            for (int round = 0; round < 2; round++) {
                for (Signal s : sent.subList(round * 3, round * 3 + 3)) {
                    send(s);
                    pause(50);
                }
                for (int i = 0; i < 3; i++) {
                    got.add(q.get());
                }
            }
            assertEquals(Optional.empty(), q.poll());
        }
        assertEquals(sent, got);
    }

    /** A burst of one kind merges into one entry and does not push back a later signal of another kind. */
    @Test
    void burstsMergeWithoutStarvingAnotherKind() throws Exception {
        try (SignalQueue q = SignalQueue.open(Signal.USR1, Signal.WINCH)) {
            for (int i = 0; i < 200; i++) {
                send(Signal.USR1);
            }
            pause(200);
            send(Signal.WINCH);
            pause(200);
            assertEquals(Optional.of(Signal.USR1), q.poll());
            assertEquals(Optional.of(Signal.WINCH), q.poll());
            pause(100);
            assertEquals(Optional.empty(), q.poll());
        }
    }

    /** A task waits for a signal; a timeout leaves the queue usable; a SignalEvent wakes a task. */
    @Test
    void tasksWaitAndTimeOut() throws Exception {
        try (Kernel kernel = Kernel.create();
             SignalQueue q = SignalQueue.open(Signal.USR1);
             SignalEvent e = SignalEvent.open(Signal.WINCH)) {
            Signal got = kernel.run(() -> {
                assertThrows(TaskTimeoutException.class, () -> Timeouts.after(Duration.ofMillis(50), q::get));
                Thread.ofPlatform().start(() -> {
                    try {
                        pause(50);
                        send(Signal.USR1);
                        pause(50);
                        send(Signal.WINCH);
                    } catch (IOException | InterruptedException ex) {
                        throw new IllegalStateException(ex);
                    }
                });
                Signal s = Timeouts.after(Duration.ofSeconds(5), q::get);
                Timeouts.after(Duration.ofSeconds(5), e::await);
                return s;
            });
            assertEquals(Signal.USR1, got);
            assertTrue(e.isSet());
            e.clear();
            assertFalse(e.isSet());
        }
    }

    /** Signals the JVM keeps or nobody can catch are refused with a message naming them. */
    @Test
    void refusedSignalsAreClearErrors() {
        for (Signal s : List.of(Signal.QUIT, Signal.SEGV, Signal.FPE, Signal.ILL, Signal.KILL, Signal.STOP)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SignalQueue.open(s));
            assertTrue(e.getMessage().contains("SIG" + s.name()), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> SignalEvent.open(Signal.USR1, s));
        }
        assertThrows(IllegalArgumentException.class, SignalQueue::open);
    }

    /**
     * Closing puts the previous handler back and hands it the signal that arrived but was never taken;
     * later signals reach it directly.
     */
    @Test
    void closeRestoresTheHandlerAndRedeliversPending() throws Throwable {
        LinkedBlockingQueue<String> previous = new LinkedBlockingQueue<>();
        Object old = Sun.install("USR1", previous::add);
        try {
            try (SignalQueue q = SignalQueue.open(Signal.USR1)) {
                send(Signal.USR1);
                pause(200);
                assertEquals(List.of(), List.copyOf(previous));
                assertEquals("SignalQueue[[USR1], pending=[USR1]]", q.toString());
            }
            assertEquals("USR1", previous.poll(5, TimeUnit.SECONDS));
            send(Signal.USR1);
            assertEquals("USR1", previous.poll(5, TimeUnit.SECONDS));
        } finally {
            Sun.restore("USR1", old);
        }
    }

    /** A test's own sun.misc.Signal handler, through method handles as the library reaches it. */
    private static final class Sun {
        interface Sink {
            void accept(String name);
        }

        static Object install(String name, Sink sink) throws Throwable {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            MethodHandle getName = MethodHandles.publicLookup().findVirtual(signal, "getName",
                    MethodType.methodType(String.class));
            Object h = Proxy.newProxyInstance(Sun.class.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            sink.accept((String) getName.invoke(args[0]));
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "test handler";
                    });
            return handle(name, h);
        }

        static void restore(String name, Object old) throws Throwable {
            handle(name, old);
        }

        private static Object handle(String name, Object h) throws Throwable {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            Object s = l.findConstructor(signal, MethodType.methodType(void.class, String.class)).invoke(name);
            return l.findStatic(signal, "handle", MethodType.methodType(handler, signal, handler)).invoke(s, h);
        }
    }
}
