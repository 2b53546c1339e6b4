package org.curio.workers;

import static org.curio.workers.ProcHarness.bytes;
import static org.curio.workers.ProcHarness.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.TaskTimeoutException;
import org.curio.workers.internal.Children;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subprocesses with real programs: curio 1.6's {@code tests/test_subprocess.py} behaviour, cancel
 * delivery, descriptors the child sees, many children at once, and the kernel's clean-up. Each test
 * ends with no live child, no zombie, no open pidfd and the descriptors it started with.
 */
class SubprocessTest {
    /** check_output returns the child's stdout (test_simple). */
    @Test
    void checkOutputReturnsStdout() throws Exception {
        String out = ProcHarness.run(() -> text(Subprocess.command("sh", "-c", "echo hello; echo there").checkOutput()));
        assertEquals("hello\nthere\n", out);
    }

    /** A non-zero exit with checkOutput is an exception with the status and both outputs (test_bad_cmd). */
    @Test
    void nonZeroExitCarriesStatusAndOutput() throws Exception {
        SubprocessException e = ProcHarness.run(() -> assertThrows(SubprocessException.class,
                () -> Subprocess.command("sh", "-c", "echo out; echo err >&2; exit 3").checkOutput()));
        assertEquals(3, e.returnCode());
        assertEquals("out\n", text(e.stdout()));
        assertEquals("err\n", text(e.stderr()));
        assertTrue(e.getMessage().contains("exited with status 3") && e.getMessage().contains("err"), e.getMessage());
    }

    /** A missing program and a bad working directory are IOExceptions naming them. */
    @Test
    void spawnFailuresNameTheirCause(@TempDir Path dir) throws Exception {
        ProcHarness.run(() -> {
            IOException missing = assertThrows(IOException.class,
                    () -> Subprocess.command("no-such-program-xyz").start());
            assertTrue(missing.getMessage().contains("no-such-program-xyz")
                    && missing.getMessage().contains("no such file"), missing.getMessage());
            Path nowhere = dir.resolve("missing");
            IOException cwd = assertThrows(IOException.class,
                    () -> Subprocess.command("true").directory(nowhere).start());
            assertTrue(cwd.getMessage().contains(nowhere.toString()), cwd.getMessage());
            Path notExecutable = Files.writeString(dir.resolve("script"), "echo hi\n");
            IOException denied = assertThrows(IOException.class,
                    () -> Subprocess.command(notExecutable.toString()).start());
            assertTrue(denied.getMessage().contains("permission denied"), denied.getMessage());
            return null;
        });
    }

    /** communicate feeds a large input and reads the output at the same time: no deadlock (test_communicate). */
    @Test
    void communicateFeedsAndReadsConcurrently() throws Exception {
        byte[] input = new byte[4 << 20];
        new Random(7).nextBytes(input);
        Subprocess.Output out = ProcHarness.run(() -> Subprocess.command("cat").start().communicate(input));
        assertArrayEquals(input, out.stdout());
        assertEquals(0, out.stderr().length);
    }

    /** Pipes are streams: write lines to a child and read its replies line by line (test_readlines). */
    @Test
    void pipesAreStreams() throws Exception {
        List<String> lines = ProcHarness.run(() -> {
            Subprocess p = Subprocess.command("cat").stderr(Redirect.DISCARD).start();
            List<String> got = new ArrayList<>();
            for (String s : List.of("one\n", "two\n")) {
                p.stdin().write(bytes(s));
                got.add(text(p.stdout().readLine()));
            }
            p.stdin().close();
            assertEquals(0, p.stdout().readAll().length);
            assertEquals(0, p.waitFor());
            p.closePipes();
            return got;
        });
        assertEquals(List.of("one\n", "two\n"), lines);
    }

    /** stderr merged into stdout, discarded streams, files, working directory and environment. */
    @Test
    void redirectsDirectoryAndEnvironment(@TempDir Path dir) throws Exception {
        Path input = Files.writeString(dir.resolve("in.txt"), "from a file\n");
        Path output = dir.resolve("out.txt");
        ProcHarness.run(() -> {
            assertEquals("o\ne\n", text(Subprocess.command("sh", "-c", "echo o; echo e >&2")
                    .stderr(Redirect.STDOUT).checkOutput()));
            assertEquals("o\n", text(Subprocess.command("sh", "-c", "echo o; echo e >&2")
                    .stderr(Redirect.DISCARD).checkOutput()));
            Subprocess.Builder b = Subprocess.command("sh", "-c", "cat; pwd; echo $CURIO_TEST_VAR")
                    .stdin(Redirect.file(input)).stdout(Redirect.file(output)).directory(dir);
            b.environment().put("CURIO_TEST_VAR", "set");
            assertEquals(0, b.run().returnCode());
            assertEquals("from a file\n" + dir.toRealPath() + "\nset\n", Files.readString(output));
            Subprocess.command("sh", "-c", "echo more").stdout(Redirect.appendTo(output)).run().check();
            assertTrue(Files.readString(output).endsWith("set\nmore\n"));
            return null;
        });
    }

    /** A child killed by a signal reports minus the signal's number; terminate gives -15. */
    @Test
    void killedChildReportsTheSignal() throws Exception {
        ProcHarness.run(() -> {
            Subprocess p = Subprocess.command("sleep", "100").start();
            assertEquals(OptionalInt.empty(), p.poll());
            p.kill();
            assertEquals(-9, p.waitFor());
            assertEquals(OptionalInt.of(-9), p.poll());
            p.kill();                                     // reaped: nothing to signal, no error
            p.closePipes();
            Subprocess q = Subprocess.command("sleep", "100").start();
            q.terminate();
            assertEquals(-15, q.waitFor());
            q.closePipes();
            return null;
        });
    }

    /** Writing to a child that has closed its stdin is an IOException (EPIPE), not a signal. */
    @Test
    void writingToAClosedPipeIsAnIoException() throws Exception {
        ProcHarness.run(() -> {
            Subprocess p = Subprocess.command("sh", "-c", "exec 0<&-; echo closed; sleep 5").start();
            assertEquals("closed\n", text(p.stdout().readLine()));
            IOException e = assertThrows(IOException.class, () -> {
                for (int i = 0; i < 1000; i++) {
                    p.stdin().write(new byte[64 * 1024]);
                }
            });
            assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("pipe"), e.getMessage());
            p.kill();
            p.waitFor();
            p.closePipes();
            return null;
        });
    }

    /** A cancelled waitFor leaves the child running (test_timeout leaves it to the caller). */
    @Test
    void cancelledWaitLeavesTheChildRunning() throws Exception {
        ProcHarness.run(() -> {
            Subprocess p = Subprocess.command("sleep", "100").start();
            assertEquals(1, Children.openPidfds());        // the exit is watched through a pidfd
            assertThrows(TaskTimeoutException.class, () -> Timeouts.after(Duration.ofMillis(100), p::waitFor));
            assertEquals(OptionalInt.empty(), p.poll());
            assertEquals("S", ProcHarness.state(p.pid()));
            p.kill();
            assertEquals(-9, p.waitFor());
            p.closePipes();
            return null;
        });
    }

    /**
     * A run that times out kills the child and its grandchild (the process group), reaps the child and
     * attaches the output read so far.
     */
    @Test
    void timedOutRunKillsTheGroupAndKeepsPartialOutput() throws Exception {
        ProcHarness.run(() -> {
            TaskTimeoutException e = assertThrows(TaskTimeoutException.class,
                    () -> Subprocess.command("sh", "-c", "sleep 100 & echo $!; wait")
                            .timeout(Duration.ofMillis(300)).checkOutput());
            PartialOutput partial = PartialOutput.of(e).orElseThrow();
            long grandchild = Long.parseLong(text(partial.stdout()).strip());
            for (int i = 0; i < 200 && !List.of("gone", "Z").contains(ProcHarness.state(grandchild)); i++) {
                Thread.sleep(5);                          // SIGKILL to a process is not instantaneous
            }
            assertTrue(List.of("gone", "Z").contains(ProcHarness.state(grandchild)),
                    "grandchild still " + ProcHarness.state(grandchild));
            return null;
        });
    }

    /** A cancelled communicate carries the output read so far; the child keeps running. */
    @Test
    void cancelledCommunicateCarriesPartialOutput() throws Exception {
        ProcHarness.run(() -> {
            Subprocess p = Subprocess.command("sh", "-c", "echo start; echo warn >&2; sleep 100").start();
            TaskTimeoutException e = assertThrows(TaskTimeoutException.class,
                    () -> Timeouts.after(Duration.ofMillis(300), () -> p.communicate(new byte[0])));
            PartialOutput partial = PartialOutput.of(e).orElseThrow();
            assertEquals("start\n", text(partial.stdout()));
            assertEquals("warn\n", text(partial.stderr()));
            assertEquals(OptionalInt.empty(), p.poll());
            p.kill();
            p.waitFor();
            p.closePipes();
            return null;
        });
    }

    /** terminate-then-kill: SIGTERM first; a child that ignores it is killed after the grace period. */
    @Test
    void terminateThenKillEscalates(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("signals.txt");
        ProcHarness.run(() -> {
            Subprocess.Builder b = Subprocess.command("sh", "-c",
                            "trap 'echo term >> \"$LOG\"' TERM; while :; do sleep 0.05; done")
                    .cancelDelivery(CancelDelivery.terminateThenKill(Duration.ofMillis(300)))
                    .timeout(Duration.ofMillis(200));
            b.environment().put("LOG", log.toString());
            long start = System.nanoTime();
            assertThrows(TaskTimeoutException.class, b::run);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 450 && ms < 5_000, "took " + ms + " ms");
            return null;
        });
        assertTrue(Files.readString(log).startsWith("term\n"), "the child never saw SIGTERM");
    }

    /**
     * The child sees only descriptors 0, 1 and 2, even with a listening socket open in the parent, with
     * glibc's closefrom action and with explicit closes.
     */
    @Test
    void childSeesOnlyStandardDescriptors() throws Exception {
        try (ServerSocket listening = new ServerSocket()) {
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            String fds = ProcHarness.run(() -> text(Subprocess.command("sh", "-c", "ls /proc/$$/fd").checkOutput()));
            assertEquals(List.of("0", "1", "2"), List.of(fds.strip().split("\\s+")));
            System.setProperty("org.curio.spawn.explicitCloses", "true");   // the path for glibc before 2.34
            try {
                fds = ProcHarness.run(() -> text(Subprocess.command("sh", "-c", "ls /proc/$$/fd").checkOutput()));
            } finally {
                System.clearProperty("org.curio.spawn.explicitCloses");
            }
            assertEquals(List.of("0", "1", "2"), List.of(fds.strip().split("\\s+")));
        }
    }

    /**
     * The child starts with no blocked and no ignored signal, and leads its own process group unless
     * told to stay in ours.
     */
    @Test
    void childHasDefaultSignalsAndItsOwnGroup() throws Exception {
        ProcHarness.run(() -> {
            String status = text(Subprocess.command("grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status").checkOutput());
            assertEquals("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n", status);
            Subprocess own = Subprocess.command("sleep", "100").start();
            assertEquals(own.pid(), ProcHarness.group(own.pid()));
            Subprocess ours = Subprocess.command("sleep", "100").newProcessGroup(false).start();
            assertEquals(ProcHarness.group(ProcessHandle.current().pid()), ProcHarness.group(ours.pid()));
            for (Subprocess p : List.of(own, ours)) {
                p.kill();
                p.waitFor();
                p.closePipes();
            }
            return null;
        });
    }

    /** A hundred children at once, each round-tripping its own input. */
    @Test
    void hundredConcurrentChildren() throws Exception {
        ProcHarness.run(() -> {
            try (TaskGroup<Object> group = TaskGroup.open()) {
                for (int i = 0; i < 100; i++) {
                    String line = "child " + i + "\n";
                    group.spawn(() -> {
                        assertEquals(line, text(Subprocess.command("cat").checkOutput(bytes(line))));
                        return null;
                    });
                }
                group.join();
                for (var e : group.exceptions()) {
                    assertFalse(e.isPresent(), () -> "a child task failed: " + e.orElseThrow());
                }
            }
            return null;
        });
    }

    /** Kernel.close kills and reaps a child left running; a detached child outlives it. */
    @Test
    void kernelCloseKillsChildrenButNotDetachedOnes() throws Exception {
        Kernel kernel = Kernel.create();
        long[] pids = kernel.run(() -> {
            Subprocess left = Subprocess.command("sleep", "100").stdin(Redirect.DISCARD).start();
            Subprocess detached = Subprocess.command("sleep", "100").stdin(Redirect.DISCARD)
                    .stdout(Redirect.DISCARD).stderr(Redirect.DISCARD).start();
            detached.detach();
            assertEquals(1, Curio.kernel().resource(Children.class, Children::new).size());
            assertEquals(Map.of("child processes", 1L), Curio.kernel().ledger().resources());
            return new long[] {left.pid(), detached.pid()};
        });
        assertFalse(kernel.ledger().isEmpty(), "the child is held until the kernel closes");
        kernel.close();
        assertTrue(kernel.ledger().isEmpty(), () -> "left: " + kernel.ledger());
        assertEquals("gone", ProcHarness.state(pids[0]));
        String detachedState = ProcHarness.state(pids[1]);   // alive: still starting (R) or asleep (S)
        assertTrue(detachedState.equals("S") || detachedState.equals("R"), () -> "detached child: " + detachedState);
        ProcessHandle.of(pids[1]).orElseThrow().destroyForcibly();
        for (int i = 0; i < 200 && !ProcHarness.state(pids[1]).equals("gone"); i++) {
            Thread.sleep(5);                              // its reaper thread reaps it
        }
        assertEquals("gone", ProcHarness.state(pids[1]));
        assertEquals(0, Children.liveChildren());
        assertEquals(List.of(), ProcHarness.zombies());
    }

    /** Without pidfds (the waiter-thread fallback), exit, kill, cancelled waits and timeouts behave the same. */
    @Test
    void waiterThreadFallback() throws Exception {
        Subprocess.forceWaiterThread = true;
        try {
            ProcHarness.run(() -> {
                assertEquals("hi\n", text(Subprocess.command("sh", "-c", "echo hi").checkOutput()));
                Subprocess p = Subprocess.command("sleep", "100").start();
                assertEquals(0, Children.openPidfds());
                assertTrue(Thread.getAllStackTraces().keySet().stream()
                        .anyMatch(t -> t.getName().equals("curio-waiter-" + p.pid())), "no waiter thread");
                assertThrows(TaskTimeoutException.class, () -> Timeouts.after(Duration.ofMillis(100), p::waitFor));
                assertEquals(OptionalInt.empty(), p.poll());
                p.kill();
                assertEquals(-9, p.waitFor());
                p.closePipes();
                assertThrows(TaskTimeoutException.class, () -> Subprocess.command("sleep", "100")
                        .timeout(Duration.ofMillis(100)).run());
                assertEquals(0, Children.openPidfds());
                return null;
            });
        } finally {
            Subprocess.forceWaiterThread = false;
        }
    }
}
