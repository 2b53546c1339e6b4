package org.curio.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.curio.io.IoHarness.bytes;
import static org.curio.io.IoHarness.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.curio.io.Socket.Family;
import org.curio.io.Socket.Type;
import org.curio.io.internal.Errno;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RELIABILITY.md's figure R12 and accept policy: when the process runs out of descriptors (its
 * {@code RLIMIT_NOFILE} lowered with {@code prlimit(2)} so that no new one can be made), a server
 * neither crashes nor spins (the whole process uses at most 5 % of a core), keeps serving its
 * established connections, and accepts the waiting clients by itself once descriptors are available
 * again.
 */
class EmfileTest {
    private static final int RLIMIT_NOFILE = 7;

    /** Sets the soft descriptor limit of this process; returns the previous soft limit. */
    @SuppressWarnings("restricted")
    private static long setSoftLimit(long soft) {
        Linker linker = Linker.nativeLinker();
        MethodHandle prlimit = linker.downcallHandle(linker.defaultLookup().find("prlimit").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(JAVA_LONG, 2);
            int rc = call(() -> (int) prlimit.invokeExact(0, RLIMIT_NOFILE, MemorySegment.NULL, old));
            assertEquals(0, rc);
            MemorySegment limit = arena.allocate(JAVA_LONG, 2);
            limit.setAtIndex(JAVA_LONG, 0, soft);
            limit.setAtIndex(JAVA_LONG, 1, old.getAtIndex(JAVA_LONG, 1));
            rc = call(() -> (int) prlimit.invokeExact(0, RLIMIT_NOFILE, limit, MemorySegment.NULL));
            assertEquals(0, rc);
            return old.getAtIndex(JAVA_LONG, 0);
        }
    }

    /** A downcall; {@code invokeExact} declares {@code Throwable}. */
    @FunctionalInterface
    private interface Downcall {
        int call() throws Throwable;
    }

    private static int call(Downcall downcall) {
        try {
            return downcall.call();
        } catch (Throwable e) {                                   // invokeExact declares Throwable
            throw new AssertionError("native call failed", e);
        }
    }

    /**
     * {@return the CPU time, in nanoseconds, of the threads that run curio code: {@code kernelThread}
     * (the kernel's own, on the continuation backend) and the virtual-thread carriers (the kernel and its
     * tasks, on the virtual-thread backend)} Compiler, GC and test-runner threads do not count.
     */
    private static long kernelCpuNanos(String kernelThread) throws IOException {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(task.resolve("comm")).strip();
                    if (task.getFileName().toString().equals(kernelThread) || comm.startsWith("ForkJoinPool")) {
                        total += Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                    }
                } catch (IOException e) {
                    // the thread ended while we looked
                }
            }
        }
        return total;
    }

    /** {@return the lowest descriptor number not in use: with the limit there, no descriptor can be made} */
    private static int lowestFree() throws IOException {
        TreeMap<Integer, String> fds = IoHarness.openFds();
        int n = 0;
        while (fds.containsKey(n) && !fds.get(n).endsWith("/fd")) {   // the listing's own descriptor is free
            n++;
        }
        return n;
    }

    /** Out of descriptors, a server backs off without spinning, serves established clients, then recovers. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void serverSurvivesDescriptorExhaustion() throws Exception {
        TreeMap<Integer, String> before = IoHarness.openFds();
        // Classes of this module load from a directory in tests, one descriptor per class file: load the
        // ones the failure paths need while descriptors remain (from a jar, nothing more is opened).
        assertTrue(Errno.isExhaustion(Errno.fromErrno("accept", Errno.EMFILE, null)));
        // Likewise the log formatter loads time-zone data from a file on its first use.
        System.getLogger(EmfileTest.class.getName()).log(System.Logger.Level.INFO, "log formatter ready");
        List<String> events = new ArrayList<>();
        try (Kernel kernel = Kernel.create()) {                     // the real clock: backoff is real time
            kernel.run(() -> {
                Socket listening = Network.tcpServerSocket(new InetSocketAddress(IoHarness.LOOPBACK, 0),
                        Network.ServerOptions.defaults());
                SocketAddress address = listening.localAddress();
                Task<?> server = Curio.spawn(() -> Network.runServer(listening, EmfileTest::echo));
                List<Socket> established = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Socket s = Socket.open(Family.INET, Type.STREAM);
                    s.connect(address);
                    established.add(s);
                    assertEquals("hello", roundTrip(s, "hello"));
                }
                List<Socket> waiting = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    waiting.add(Socket.open(Family.INET, Type.STREAM));   // descriptors made while we can
                }
                String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
                long cpu = kernelCpuNanos(self);
                long wall = System.nanoTime();
                long previous = setSoftLimit(lowestFree());
                try {
                    assertThrows(IOException.class, () -> Socket.open(Family.INET, Type.STREAM));
                    for (Socket s : waiting) {
                        s.connect(address);                 // queued by the kernel; accept now hits EMFILE
                    }
                    for (int round = 0; round < 4; round++) {
                        Timeouts.sleep(Duration.ofMillis(500));
                        for (Socket s : established) {
                            assertEquals("still " + round, roundTrip(s, "still " + round));
                        }
                    }
                    long elapsed = System.nanoTime() - wall;
                    setSoftLimit(previous);
                    double share = (kernelCpuNanos(self) - cpu) / (double) elapsed;
                    events.add(String.format("kernel cpu share %.3f", share));
                    assertTrue(share <= 0.05, "the kernel used " + share + " of a core while out of descriptors");
                } finally {
                    setSoftLimit(previous);
                }
                for (Socket s : waiting) {                  // accepted within the 1 s backoff cap
                    assertEquals("late", Timeouts.after(Duration.ofSeconds(3), () -> roundTrip(s, "late")));
                }
                waiting.forEach(Socket::close);
                established.forEach(Socket::close);
                server.cancel();
                return null;
            });
            assertTrue(kernel.ledger().registrations() == 0, () -> "kernel holds " + kernel.ledger());
        }
        IoHarness.assertNoNewFds(before);
        System.out.println("R12: " + events);
    }

    private static String roundTrip(Socket s, String message) throws IOException, CancelledException {
        s.sendAll(bytes(message));
        return text(s.recv(100));
    }

    private static void echo(Socket client, SocketAddress from) throws IOException, CancelledException {
        while (true) {
            byte[] data = client.recv(100);
            if (data.length == 0) {
                return;
            }
            client.sendAll(data);
        }
    }
}
