package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.channel.unix.FileDescriptor;
import org.curio.traps.CancelledException;
import org.curio.traps.Pollable;
import org.curio.traps.Readiness;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.junit.jupiter.api.Test;

/**
 * A kernel group: a body on every kernel, in parallel; failures; confinement of tasks and
 * descriptors to their kernel, with the messages; a clean close.
 */
class KernelGroupTest {
    private static final Duration LONG = Duration.ofMinutes(5);

    private static KernelGroup group(String name) {
        return KernelGroup.builder().size(2).name(name).shutdownTimeout(Duration.ofSeconds(5)).build();
    }

    /** {@code message} with every kernel's task count made "N", which varies with timing. */
    private static String normalized(String message) {
        return message.replaceAll("tasks=\\d+", "tasks=N").replaceAll("id=\\d+", "id=N");
    }

    private static String backend() {
        return Kernel.create().backend().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Each body runs as a task of its own kernel, on its own thread, at the same time as the other. */
    @Test
    void runsABodyOnEachKernelInParallel() throws Exception {
        try (KernelGroup group = group("par")) {
            List<CompletableFuture<Void>> arrived = List.of(new CompletableFuture<>(), new CompletableFuture<>());
            List<Object[]> seen = group.runOnEach(index -> {
                arrived.get(index).complete(null);
                // Each waits until the other has started: with one thread between them this never ends.
                Timeouts.after(Duration.ofSeconds(30), () -> Curio.awaitFuture(arrived.get(1 - index)));
                return new Object[] {Curio.kernel(), Thread.currentThread()};
            });
            assertSame(group.kernel(0), seen.get(0)[0]);
            assertSame(group.kernel(1), seen.get(1)[0]);
            assertNotSame(seen.get(0)[1], seen.get(1)[1]);
            assertEquals("Kernel[par-0, " + backend() + ", tasks=1]", group.kernel(0).toString());
        }
    }

    /** The first failure is thrown; the other body is cancelled, and its cleanup's failure is suppressed. */
    @Test
    void firstFailureCancelsTheOthers() {
        try (KernelGroup group = group("fail")) {
            CompletableFuture<Void> sleeping = new CompletableFuture<>();
            IOException thrown = assertThrows(IOException.class, () -> group.runOnEach(index -> {
                if (index == 0) {
                    Curio.awaitFuture(sleeping);
                    throw new IOException("member 0 failed");
                }
                try {
                    sleeping.complete(null);
                    Timeouts.sleep(LONG);
                    return null;
                } catch (CancelledException e) {
                    throw new IllegalStateException("member 1 failed in its cleanup", e);
                }
            }));
            assertEquals("member 0 failed", thrown.getMessage());
            assertEquals(1, thrown.getSuppressed().length);
            assertEquals("member 1 failed in its cleanup", thrown.getSuppressed()[0].getMessage());
        }
    }

    /** A task of one kernel cannot be joined by a task of another; the message names both kernels. */
    @Test
    void joiningAnotherKernelsTaskFails() throws Exception {
        try (KernelGroup group = group("join")) {
            CompletableFuture<Task<?>> published = new CompletableFuture<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            List<String> messages = group.runOnEach(index -> {
                if (index == 0) {
                    Task<Object> sleeper = Curio.spawn("sleeper", () -> {
                        Timeouts.sleep(LONG);
                        return null;
                    });
                    Curio.schedule();                          // the sleeper is asleep when kernel 1 looks
                    published.complete(sleeper);
                    Curio.awaitFuture(done);
                    sleeper.cancel();
                    return "";
                }
                Task<?> foreign = Curio.awaitFuture(published);
                try {
                    foreign.join();
                    return "joined";
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                } finally {
                    done.complete(null);
                }
            });
            String b = backend();
            assertEquals("Task(id=N, name=sleeper)[TIME_SLEEP] of Kernel[join-0, " + b + ", tasks=N]"
                    + " belongs to another kernel than the calling Task(id=N, name=each-1)[RUNNING] of Kernel[join-1, "
                    + b + ", tasks=N]; a task can be joined only by tasks of its own kernel",
                    normalized(messages.get(1)));
        }
    }

    /** A named pipe end, so that messages are readable. */
    private record End(String name, FileDescriptor file) implements Pollable {
        @Override
        public int fd() {
            return file.intValue();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A descriptor a task of one kernel waits on belongs to that kernel: a task of another that waits
     * on it fails, naming both kernels; one that releases it (closes it) makes the owner drop its
     * registration and wake its waiter.
     */
    @Test
    void descriptorsAreConfinedToTheirKernel() throws Exception {
        io.netty.channel.epoll.Epoll.ensureAvailability();
        FileDescriptor[] pipe = FileDescriptor.pipe();
        End reader = new End("pipe-reader", pipe[0]);
        try (KernelGroup group = group("fd")) {
            CompletableFuture<Void> registered = new CompletableFuture<>();
            List<String> results = group.runOnEach(index -> {
                if (index == 0) {
                    Task<Readiness> waiter = Curio.spawn("waiter", () -> Traps.call(new Trap.ReadWait(reader)));
                    Curio.schedule();                          // the waiter has registered the descriptor
                    registered.complete(null);
                    Timeouts.after(Duration.ofSeconds(30), waiter::join);   // woken when kernel 1 releases it
                    return "woken; registrations left: " + Curio.kernel().ledger().registrations();
                }
                Curio.awaitFuture(registered);
                String message;
                try {
                    Traps.call(new Trap.ReadWait(reader));
                    message = "waited";
                } catch (IllegalArgumentException e) {
                    message = e.getMessage();
                }
                Traps.call(new Trap.IoRelease(reader));      // what closing a socket does
                return message;
            });
            String b = backend();
            assertEquals("descriptor pipe-reader belongs to Kernel[fd-0, " + b
                    + ", tasks=N], not to the calling task's Kernel[fd-1, " + b + ", tasks=N]; a descriptor is used"
                    + " only by tasks of the kernel that first waited on it (close it there, or hand it over before"
                    + " any task waits on it)", normalized(results.get(1)));
            assertEquals("woken; registrations left: 0", results.get(0));
        } finally {
            pipe[0].close();
            pipe[1].close();
        }
    }

    /** submit() starts a task on the chosen kernel; its future carries the result or the failure. */
    @Test
    void submitRunsOnTheChosenKernel() throws Exception {
        try (KernelGroup group = group("sub")) {
            assertSame(group.kernel(1), group.submit(1, Curio::kernel).get(30, TimeUnit.SECONDS));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> group.submit(0, () -> {
                        throw new IOException("nope");
                    }).get(30, TimeUnit.SECONDS));
            assertEquals("nope", e.getCause().getMessage());
            CompletableFuture<Object> sleeper = group.submit(0, () -> {
                Timeouts.sleep(LONG);
                return null;
            });
            sleeper.cancel(true);
        }
    }

    /** Closing stops every thread and returns every descriptor the kernels held; the group refuses work after. */
    @Test
    void closeLeavesNoThreadAndNoDescriptor() throws Exception {
        int before = openDescriptors();
        KernelGroup group = group("gone");
        group.runOnEach(index -> {
            Curio.spawnDaemon(() -> Timeouts.sleep(LONG));        // left for close to cancel
            return null;
        });
        group.close();
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("curio-gone-")),
                "a member thread survived close");
        assertEquals(before, openDescriptors());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> group.submit(0, () -> 1));
        assertEquals("cannot start a task: KernelGroup[gone, 2 kernels, closed] is closed", e.getMessage());
        group.close();                                            // a second close does nothing
    }

    private static int openDescriptors() {
        return Objects.requireNonNull(new File("/proc/self/fd").list()).length;
    }
}
