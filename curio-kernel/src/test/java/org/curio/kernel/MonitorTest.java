package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.curio.traps.CancelledException;
import org.curio.traps.TaskCancelledException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor console over a real loopback socket (port 0): answers while the kernel is held by a task
 * that never traps, cancels through the kernel, serves several kernels, rejects bad input, and leaves
 * nothing behind when the last kernel closes.
 */
@Timeout(30)
class MonitorTest {
    /** The task spins without traps, holding the kernel, until {@code release} is set. */
    static void spinUntil(AtomicBoolean spinning, AtomicBoolean release) {
        spinning.set(true);
        while (!release.get()) {
            Thread.onSpinWait();
        }
    }

    private static <T> CompletableFuture<T> runInBackground(Kernel kernel, Callable<T> main) {
        CompletableFuture<T> outcome = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("monitor-test-kernel").start(() -> {
            try {
                outcome.complete(kernel.run(main));
            } catch (Exception | Error e) {
                outcome.completeExceptionally(e);
            }
        });
        return outcome;
    }

    private static void await(AtomicBoolean flag) throws InterruptedException {
        for (int i = 0; i < 2000 && !flag.get(); i++) {
            Thread.sleep(5);
        }
        assertTrue(flag.get(), "timed out waiting for the kernel");
    }

    private static List<Thread> monitorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("curio-monitor") && t.isAlive()).toList();
    }

    private static int kernelId(String ps, long taskId) {
        int kernel = -1;
        for (String line : ps.split("\n")) {
            Matcher m = Pattern.compile("^kernel (\\d+) ").matcher(line);
            if (m.find()) {
                kernel = Integer.parseInt(m.group(1));
            } else if (line.startsWith(taskId + " ")) {
                return kernel;
            }
        }
        throw new AssertionError("task " + taskId + " not in ps:\n" + ps);
    }

    /**
     * With the only task spinning and never trapping, ps, where and cancel still answer; the
     * cancellation reaches the task at its next blocking call, after it stops spinning.
     */
    @Test
    void answersWhileTheOnlyTaskSpins() throws Exception {
        Harness.Events events = new Harness.Events();
        AtomicBoolean spinning = new AtomicBoolean();
        AtomicBoolean release = new AtomicBoolean();
        AtomicLong mainId = new AtomicLong();
        try (Kernel kernel = Kernel.builder().monitor(Monitor.onPort(0)).build()) {
            CompletableFuture<Object> run = runInBackground(kernel, () -> {
                mainId.set(Curio.currentTask().id());
                spinUntil(spinning, release);
                events.add("stopped spinning");
                try {
                    Timeouts.sleep(Duration.ofMinutes(5));
                } catch (TaskCancelledException e) {
                    events.add("cancelled in sleep");
                    throw e;
                }
                return "slept";
            });
            await(spinning);
            try (ConsoleClient client = ConsoleClient.connect(kernel.monitorAddress().orElseThrow())) {
                String ps = client.command("ps");
                assertTrue(ps.contains("is busy: task " + mainId.get()), ps);
                assertTrue(ps.matches("(?s).*\\n" + mainId.get() + " +RUNNING .* main\\n.*"), ps);
                events.add("ps");
                String where = client.command("where " + mainId.get());
                assertTrue(where.contains("running without a trap"), where);
                assertTrue(where.contains("MonitorTest.spinUntil"), where);
                events.add("where");
                String cancel = client.command("cancel " + mainId.get());
                assertTrue(cancel.startsWith("cancelling task " + mainId.get() + " (main): not terminated"), cancel);
                events.add("cancel requested");
            }
            release.set(true);
            ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof TaskCancelledException, e.toString());
        }
        events.assertEquals("ps", "where", "cancel requested", "stopped spinning", "cancelled in sleep");
    }

    /** A cancel from the console wakes a blocked task with TaskCancelledException, and reports it ended. */
    @Test
    void cancelOfABlockedTaskTakesEffect() throws Exception {
        Harness.Events events = new Harness.Events();
        AtomicLong childId = new AtomicLong();
        AtomicBoolean waiting = new AtomicBoolean();
        CompletableFuture<Void> replied = new CompletableFuture<>();
        try (Kernel kernel = Kernel.builder().monitor(Monitor.onPort(0)).build()) {
            CompletableFuture<Object> run = runInBackground(kernel, () -> {
                var child = Curio.spawn("child", () -> {
                    try {
                        events.add("child waits");
                        waiting.set(true);
                        return Curio.awaitFuture(new CompletableFuture<String>());
                    } catch (CancelledException e) {
                        events.add("child " + e.getClass().getSimpleName());
                        throw e;
                    }
                });
                childId.set(child.id());
                Curio.awaitFuture(replied);
                events.add("main sees cancelled=" + child.isCancelled() + " terminated=" + child.isTerminated());
                return null;
            });
            await(waiting);
            try (ConsoleClient client = ConsoleClient.connect(kernel.monitorAddress().orElseThrow())) {
                String answer = client.command("cancel " + childId.get());
                events.add(answer.strip());
            }
            replied.complete(null);
            run.get(10, TimeUnit.SECONDS);
        }
        events.assertEquals("child waits", "child TaskCancelledException",
                "cancelled task " + childId.get() + " (child): it has terminated",
                "main sees cancelled=true terminated=true");
    }

    /** Two kernels on one address share a console: ps lists both, and KERNEL:TASK picks the right one. */
    @Test
    void twoKernelsListedAndAddressed() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        AtomicLong idA = new AtomicLong();
        AtomicLong idB = new AtomicLong();
        try (Kernel a = Kernel.builder().monitor(Monitor.onPort(0)).build();
             Kernel b = Kernel.builder().monitor(Monitor.onPort(0)).build()) {
            assertEquals(a.monitorAddress(), b.monitorAddress());
            AtomicBoolean startedA = new AtomicBoolean();
            AtomicBoolean startedB = new AtomicBoolean();
            CompletableFuture<Object> runA = runInBackground(a, () -> {
                idA.set(Curio.currentTask().id());
                startedA.set(true);
                return Curio.awaitFuture(release);
            });
            CompletableFuture<Object> runB = runInBackground(b, () -> {
                idB.set(Curio.currentTask().id());
                startedB.set(true);
                return Curio.awaitFuture(release);
            });
            await(startedA);
            await(startedB);
            try (ConsoleClient client = ConsoleClient.connect(a.monitorAddress().orElseThrow())) {
                assertTrue(client.greeting().contains("2 kernels"), client.greeting());
                String ps = client.command("ps");
                int kernelA = kernelId(ps, idA.get());
                int kernelB = kernelId(ps, idB.get());
                assertTrue(kernelA != kernelB, ps);
                String where = client.command("where " + kernelB + ":" + idB.get());
                assertTrue(where.startsWith("task " + idB.get() + " (main) [FUTURE_WAIT] in kernel " + kernelB), where);
                assertTrue(where.contains("MonitorTest.lambda$twoKernelsListedAndAddressed"), where);
                assertEquals("error: kernel " + kernelA + " has no task " + idB.get() + " (ps lists the tasks)\n",
                        client.command("where " + kernelA + ":" + idB.get()));
                assertEquals("error: no kernel 999999 (ps lists the kernels)\n", client.command("where 999999:1"));
            }
            release.complete(null);
            runA.get(10, TimeUnit.SECONDS);
            runB.get(10, TimeUnit.SECONDS);
        }
    }

    /** Closing the last kernel stops the console: client disconnected, threads gone, port free again. */
    @Test
    void closingTheKernelClosesTheConsole() throws Exception {
        Kernel kernel = Kernel.builder().monitor(Monitor.onPort(0)).build();
        InetSocketAddress address = (InetSocketAddress) kernel.monitorAddress().orElseThrow();
        assertFalse(monitorThreads().isEmpty());
        try (ConsoleClient client = ConsoleClient.connect(address)) {
            kernel.close();
            assertEquals("", client.readToEnd());
        }
        for (int i = 0; i < 400 && !monitorThreads().isEmpty(); i++) {
            Thread.sleep(5);
        }
        assertEquals(List.of(), monitorThreads());
        assertThrows(ConnectException.class, () -> ConsoleClient.connect(address));
        try (ServerSocket again = new ServerSocket(address.getPort(), 1, address.getAddress())) {
            assertEquals(address.getPort(), again.getLocalPort());
        }
        assertEquals(java.util.Optional.empty(), kernel.monitorAddress());
    }

    /** Bad commands get one line naming the bad value and the usage; the session goes on. */
    @Test
    void badCommands() throws Exception {
        try (Kernel kernel = Kernel.builder().monitor(Monitor.onPort(0)).build();
             ConsoleClient client = ConsoleClient.connect(kernel.monitorAddress().orElseThrow())) {
            assertEquals("error: unknown command 'frobnicate'; type help for the commands\n",
                    client.command("frobnicate 12"));
            assertEquals("error: missing argument; usage: where ID (a task id from ps, or KERNEL:TASK)\n",
                    client.command("where"));
            assertEquals("error: too many arguments; usage: cancel ID (a task id from ps, or KERNEL:TASK)\n",
                    client.command("cancel 1 2"));
            assertEquals("error: bad task id 'abc': give a task id from ps, such as 12, or KERNEL:TASK, such as 1:12\n",
                    client.command("where abc"));
            assertEquals("error: bad task id '-3': give a task id from ps, such as 12, or KERNEL:TASK, such as 1:12\n",
                    client.command("cancel -3"));
            assertEquals("error: no task 99999999 (ps lists the tasks)\n", client.command("where 99999999"));
            assertEquals("error: ps takes no argument; usage: ps\n", client.command("ps all"));
            assertTrue(client.command("signal NOSUCHSIGNAL").startsWith("error: unknown signal 'NOSUCHSIGNAL'"));
            assertTrue(client.command("help").contains("cancel ID"));
            assertEquals("", client.command(""));
            client.send("quit\n");
            assertEquals("Leaving the monitor.\n", client.readToEnd());
        }
    }

    /** A line over the limit ends the session before more is buffered. */
    @Test
    void longLineClosesTheSession() throws Exception {
        try (Kernel kernel = Kernel.builder().monitor(Monitor.onPort(0)).build();
             ConsoleClient client = ConsoleClient.connect(kernel.monitorAddress().orElseThrow())) {
            client.send("x".repeat(5000));
            assertEquals("error: line longer than 1024 bytes; closing\n", client.readToEnd());
        }
    }

    /** A silent client is disconnected after the idle timeout, and clients over the limit are turned away. */
    @Test
    void silentAndSurplusClientsAreDropped() throws Exception {
        Monitor monitor = Monitor.onPort(0).idleTimeout(Duration.ofMillis(300)).maxClients(1);
        try (Kernel kernel = Kernel.builder().monitor(monitor).build();
             ConsoleClient first = ConsoleClient.connect(kernel.monitorAddress().orElseThrow());
             ConsoleClient second = ConsoleClient.connectSilently(kernel.monitorAddress().orElseThrow())) {
            assertEquals("curio monitor: 1 clients are connected already, the most allowed; try again later\n",
                    second.readToEnd());
            assertEquals("\nclosing: no command for PT0.3S\n", first.readToEnd());
        }
    }

    /** A Unix-domain console is created owner-only (0600), answers, and is removed at close. */
    @Test
    void unixSocketIsOwnerOnly(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("monitor.sock");
        try (Kernel kernel = Kernel.builder().monitor(Monitor.unixSocket(socket)).build()) {
            assertEquals(UnixDomainSocketAddress.of(socket), kernel.monitorAddress().orElseThrow());
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(socket));
            assertEquals(List.of(socket), listing(dir));            // no temporary directory left behind
            try (ConsoleClient client = ConsoleClient.connect(UnixDomainSocketAddress.of(socket))) {
                assertTrue(client.command("ps").startsWith("kernel "));
            }
        }
        assertFalse(Files.exists(socket));
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }

    /** tree nests children under their parent with their group, recent lists outcomes, stats counts. */
    @Test
    @SuppressWarnings("try")
    void treeRecentAndStats() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        AtomicBoolean ready = new AtomicBoolean();
        AtomicLong mainId = new AtomicLong();
        AtomicLong childId = new AtomicLong();
        try (Kernel kernel = Kernel.builder().monitor(Monitor.onPort(0)).build();
             TestSupport.LogCapture quiet = TestSupport.LogCapture.off("org.curio.kernel")) {
            CompletableFuture<Object> run = runInBackground(kernel, () -> {
                mainId.set(Curio.currentTask().id());
                Curio.spawn("fine", () -> 1).join();
                var failing = Curio.spawn("failing", () -> {
                    throw new IllegalStateException("boom");
                });
                failing.await();
                try (TaskGroup<Object> group = TaskGroup.open()) {
                    childId.set(group.spawn(() -> Timeouts.sleep(Duration.ofMinutes(5))).id());
                    Curio.schedule();
                    ready.set(true);
                    Curio.awaitFuture(release);
                    group.cancelRemaining();
                }
                return null;
            });
            await(ready);
            try (ConsoleClient client = ConsoleClient.connect(kernel.monitorAddress().orElseThrow())) {
                String tree = client.command("tree");
                assertTrue(tree.matches("(?s)kernel \\d+ \\(.*\\n  " + mainId.get() + " main \\[FUTURE_WAIT\\]\\n    "
                        + childId.get() + " Task-" + childId.get() + " \\[TIME_SLEEP\\] in group@[0-9a-f]+/all\\n"), tree);
                String recent = client.command("recent");
                assertTrue(recent.matches("(?s).* failing +failed: java.lang.IllegalStateException: boom \\(1 cycles\\)"
                        + "\\n.* fine +returned \\(1 cycles\\)\\n"), recent);
                String stats = client.command("stats");
                assertTrue(stats.matches("kernel \\d+ \\((virtual|continuation)\\): tasks=2 ready=0 timers=1"
                        + " registrations=0 hand-offs=0 future-waits=1 cycles=\\d+\\n"), stats);
                String ps = client.command("ps");
                assertTrue(ps.matches("(?s).*\\n" + childId.get() + " +TIME_SLEEP +1 +None +\\d+\\.\\d{3} +group@.*"), ps);
            }
            release.complete(null);
            run.get(10, TimeUnit.SECONDS);
        }
    }

    /** signal raises the named signal in this process, as curio's os.kill(getpid()) does. */
    @Test
    void signalRaisesInProcess() throws Throwable {
        CompletableFuture<String> received = new CompletableFuture<>();
        Object previous = SignalHandlers.handle("WINCH", received::complete);
        try (Kernel kernel = Kernel.builder().monitor(Monitor.onPort(0)).build();
             ConsoleClient client = ConsoleClient.connect(kernel.monitorAddress().orElseThrow())) {
            assertEquals("raised SIGWINCH\n", client.command("signal winch"));
            assertEquals("WINCH", received.get(5, TimeUnit.SECONDS));
        } finally {
            SignalHandlers.restore("WINCH", previous);
        }
    }

    /** CURIOMONITOR: empty is off, an address chooses it, anything else is the default, junk is refused. */
    @Test
    void environmentVariableParsing() throws Exception {
        assertEquals(java.util.Optional.empty(), Monitor.fromEnvironment(null));
        assertEquals(java.util.Optional.empty(), Monitor.fromEnvironment(""));
        assertEquals(java.util.Optional.empty(), Monitor.fromEnvironment("  "));
        SocketAddress standard = new InetSocketAddress("127.0.0.1", Monitor.DEFAULT_PORT);
        for (String on : List.of("1", "TRUE", "yes")) {
            assertEquals(standard, Monitor.fromEnvironment(on).orElseThrow().address());
        }
        assertEquals(new InetSocketAddress("127.0.0.1", 9000),
                Monitor.fromEnvironment("127.0.0.1:9000").orElseThrow().address());
        assertEquals(new InetSocketAddress("127.0.0.1", 0), Monitor.fromEnvironment(":0").orElseThrow().address());
        assertEquals(new InetSocketAddress("::1", 48802), Monitor.fromEnvironment("[::1]:48802").orElseThrow().address());
        assertEquals(UnixDomainSocketAddress.of("/tmp/m.sock"),
                Monitor.fromEnvironment("unix:/tmp/m.sock").orElseThrow().address());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Monitor.fromEnvironment("localhost:abc"));
        assertEquals("CURIOMONITOR=localhost:abc: bad monitor port 'abc' in 'localhost:abc': use HOST:PORT such as"
                + " 127.0.0.1:48802; or set it to 1 for 127.0.0.1:48802", bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Monitor.fromEnvironment("127.0.0.1:70000"));
    }

    /** A wildcard address is refused unless allowed explicitly. */
    @Test
    void wildcardRefusedUnlessAllowed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Kernel.builder().monitor(Monitor.at("0.0.0.0:0")).build());
        assertTrue(e.getMessage().startsWith("monitor address 0.0.0.0:0 is a wildcard"), e.getMessage());
        try (Kernel kernel = Kernel.builder().monitor(Monitor.at("0.0.0.0:0").allowingWildcard()).build()) {
            assertTrue(((InetSocketAddress) kernel.monitorAddress().orElseThrow()).getAddress().isAnyLocalAddress());
        }
    }

    /** A kernel built without a console can be attached later, and detached. */
    @Test
    void attachToABuiltKernel() throws Exception {
        try (Kernel kernel = Kernel.builder().jmx(false).build()) {
            assertEquals(java.util.Optional.empty(), kernel.monitorAddress());
            try (Monitor.Attachment attachment = Monitor.onPort(0).attach(kernel);
                 ConsoleClient client = ConsoleClient.connect(attachment.address())) {
                assertTrue(client.command("recent").contains("not recorded"));
            }
            assertEquals(List.of(), waitForNoMonitorThreads());
        }
        Set<String> none = Set.of();
        assertEquals(none, Set.copyOf(monitorThreads().stream().map(Thread::getName).toList()));
    }

    private static List<Thread> waitForNoMonitorThreads() throws InterruptedException {
        for (int i = 0; i < 400 && !monitorThreads().isEmpty(); i++) {
            Thread.sleep(5);
        }
        return monitorThreads();
    }
}
