package org.curio.bench.kernel;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Callable;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.locks.LockSupport;

/** The plain-Java halves of the kernel benchmarks: virtual-thread hand-offs and raw continuations. */
final class Baselines {
    /*
     * Implementation notes. Every baseline runs its loop on virtual threads, never on the JMH thread
     * itself: curio's virtual backend keeps its loop and tasks on virtual threads too, and a hand-off
     * between a platform and a virtual thread costs tens of times more than one between two virtual
     * threads, so a loop on the JMH thread would flatter curio.
     */
    private Baselines() {}

    /**
     * Runs {@code body} on a new virtual thread, waits for it, and returns its value.
     *
     * @throws Exception the body's failure, unchanged
     */
    static long onVirtualThread(Callable<Long> body) throws Exception {
        long[] value = new long[1];
        Exception[] failure = new Exception[1];
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                value[0] = body.call();
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        t.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        return value[0];
    }

    /**
     * Passes control back and forth {@code 2 * rounds} times between two virtual threads with
     * {@code LockSupport.park}/{@code unpark} and a volatile turn, the way the virtual backend does.
     *
     * @return the number of hand-offs
     */
    static long parkUnparkPingPong(int rounds) throws InterruptedException {
        ParkPingPong game = new ParkPingPong();
        Thread[] players = new Thread[2];
        players[0] = Thread.ofVirtual().unstarted(() -> game.play(0, rounds, players[1]));
        players[1] = Thread.ofVirtual().unstarted(() -> game.play(1, rounds, players[0]));
        players[0].start();
        players[1].start();
        players[0].join();
        players[1].join();
        return game.handOffs[0] + game.handOffs[1];
    }

    /** Two players that may run only on their own turn. */
    private static final class ParkPingPong {
        private volatile int turn;                        // whose turn: 0 or 1
        final long[] handOffs = new long[2];              // per player, written by that player only

        void play(int me, int rounds, Thread other) {
            for (int i = 0; i < rounds; i++) {
                while (turn != me) {
                    LockSupport.park(this);
                }
                turn = 1 - me;
                LockSupport.unpark(other);
                handOffs[me]++;
            }
        }
    }

    /**
     * Passes a value back and forth {@code 2 * rounds} times between two virtual threads through a
     * pair of {@link SynchronousQueue}s.
     *
     * @return the sum of the values received, which depends on every hand-off
     */
    static long synchronousQueuePingPong(int rounds) throws Exception {
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        long[] sums = new long[2];
        Thread a = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    ping.put(i);
                    sums[0] += pong.take();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread b = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    int v = ping.take();
                    sums[1] += v;
                    pong.put(v + 1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        a.join();
        b.join();
        return sums[0] + sums[1];
    }

    /**
     * Runs one raw {@code jdk.internal.vm.Continuation} that yields {@code rounds} times: the floor
     * under the continuation backend's trap round trip (one run plus one yield per trap).
     *
     * @return the number of runs
     * @throws IllegalStateException if {@code jdk.internal.vm} is not exported to the class path
     */
    static long rawContinuation(int rounds) {
        Object continuation = RawContinuation.create(() -> {
            for (int i = 0; i < rounds; i++) {
                RawContinuation.yieldNow();
            }
        });
        long runs = 0;
        while (!RawContinuation.isDone(continuation)) {
            RawContinuation.run(continuation);
            runs++;
        }
        return runs;
    }

    /** Method handles on {@code jdk.internal.vm.Continuation}, held in constants the JIT inlines. */
    private static final class RawContinuation {
        /*
         * Implementation notes. The bench is compiled with --release 25, which forbids
         * --add-exports at compile time, so the internal class is reached through method handles;
         * invokeExact on static final handles compiles to direct calls. invokeExact declares
         * Throwable, so each wrapper rethrows what it cannot let through unchecked.
         */
        private static final Object SCOPE;
        private static final MethodHandle CREATE;     // (Object scope, Runnable) Object
        private static final MethodHandle RUN;        // (Object) void
        private static final MethodHandle YIELD;      // (Object scope) boolean
        private static final MethodHandle IS_DONE;    // (Object) boolean

        static {
            try {
                Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
                Class<?> contClass = Class.forName("jdk.internal.vm.Continuation");
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                SCOPE = lookup.findConstructor(scopeClass, MethodType.methodType(void.class, String.class))
                        .invoke("bench");
                CREATE = lookup.findConstructor(contClass, MethodType.methodType(void.class, scopeClass, Runnable.class))
                        .asType(MethodType.methodType(Object.class, Object.class, Runnable.class));
                RUN = lookup.findVirtual(contClass, "run", MethodType.methodType(void.class))
                        .asType(MethodType.methodType(void.class, Object.class));
                YIELD = lookup.findStatic(contClass, "yield", MethodType.methodType(boolean.class, scopeClass))
                        .asType(MethodType.methodType(boolean.class, Object.class));
                IS_DONE = lookup.findVirtual(contClass, "isDone", MethodType.methodType(boolean.class))
                        .asType(MethodType.methodType(boolean.class, Object.class));
            } catch (Throwable e) {
                throw new IllegalStateException("raw continuations need the JVM option "
                        + "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED", e);
            }
        }

        private RawContinuation() {}

        static Object create(Runnable body) {
            try {
                return (Object) CREATE.invokeExact(SCOPE, body);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        static void run(Object continuation) {
            try {
                RUN.invokeExact(continuation);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        static void yieldNow() {
            try {
                boolean ignored = (boolean) YIELD.invokeExact(SCOPE);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        static boolean isDone(Object continuation) {
            try {
                return (boolean) IS_DONE.invokeExact(continuation);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
