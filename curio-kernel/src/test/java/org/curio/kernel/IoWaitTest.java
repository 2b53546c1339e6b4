package org.curio.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import io.netty.channel.unix.FileDescriptor;
import org.curio.traps.CancelledException;
import org.curio.traps.Pollable;
import org.curio.traps.ReadResourceBusyException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.WriteResourceBusyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness waiting on raw non-blocking pipes (curio-io's sockets build on exactly this): the
 * try-the-syscall-then-trap pattern, busy waiters, release, cancellation and remembered edges.
 */
class IoWaitTest {
    private FileDescriptor readEnd;
    private FileDescriptor writeEnd;
    private Pollable reader;
    private Pollable writer;

    @BeforeEach
    void openPipe() throws IOException {
        io.netty.channel.epoll.Epoll.ensureAvailability();   // loads the native library (pipe2 lives there)
        FileDescriptor[] pipe = FileDescriptor.pipe();
        readEnd = pipe[0];
        writeEnd = pipe[1];
        reader = readEnd::intValue;
        writer = writeEnd::intValue;
    }

    @AfterEach
    void closePipe() throws IOException {
        readEnd.close();
        writeEnd.close();
    }

    private static VirtualClock instantClock() {
        return VirtualClock.withAutojumpThreshold(Duration.ZERO);
    }

    /** Reads what is there, or waits for readability and retries: how curio's I/O layer reads. */
    private String read(Pollable source, FileDescriptor fd) throws IOException, CancelledException {
        ByteBuffer buf = ByteBuffer.allocateDirect(64);
        while (true) {
            int n = fd.read(buf, 0, buf.capacity());
            if (n > 0) {
                byte[] bytes = new byte[n];
                buf.get(0, bytes);
                return new String(bytes, StandardCharsets.US_ASCII);
            }
            if (n < 0) {
                return "<eof>";
            }
            Traps.call(new Trap.ReadWait(source));
        }
    }

    private static void write(FileDescriptor fd, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        assertEquals(bytes.length, fd.write(buf, 0, bytes.length));
    }

    /** A reader blocks until a writer task writes; the events interleave in curio's order. */
    @Test
    void readerWaitsForWriter() throws Exception {
        var events = new Harness.Events();
        Harness.run(instantClock(), () -> {
            Task<String> r = Curio.spawn(() -> {
                events.add("reader start");
                String got = read(reader, readEnd);
                events.add("reader got " + got);
                return got;
            });
            Task<Void> w = Curio.spawn(() -> {
                Timeouts.sleep(Duration.ofSeconds(1));
                events.add("writer writes");
                write(writeEnd, "hello");
            });
            w.join();
            String got = r.join();
            Traps.call(new Trap.IoRelease(reader));
            return got;
        });
        events.assertEquals("reader start", "writer writes", "reader got hello");
    }

    /** A timeout that reaches a task waiting to read says so, naming the descriptor. */
    @Test
    void timeoutWhileReadingNamesTheDescriptor() throws Exception {
        String message = Harness.run(instantClock(), () -> {
            try {
                return Timeouts.after(Duration.ofSeconds(3), () -> read(reader, readEnd));
            } catch (TaskTimeoutException e) {
                return e.getMessage();
            } finally {
                Traps.call(new Trap.IoRelease(reader));
            }
        });
        assertEquals("timed out after PT3S (Timeouts.after) while waiting to read fd=" + readEnd.intValue(), message);
    }

    /** A second task waiting to read the same descriptor gets ReadResourceBusyException at once. */
    @Test
    void secondReaderIsBusy() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<String> first = Curio.spawn(() -> read(reader, readEnd));
            Curio.schedule();                             // let the first reader block
            try {
                Traps.call(new Trap.ReadWait(reader));
            } catch (ReadResourceBusyException e) {
                events.add("busy");
            }
            write(writeEnd, "x");
            events.add("first got " + first.join());
            Traps.call(new Trap.IoRelease(reader));
        });
        events.assertEquals("busy", "first got x");
    }

    /** Two writers: the second gets WriteResourceBusyException while the first waits on a full pipe. */
    @Test
    void secondWriterIsBusy() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            ByteBuffer chunk = ByteBuffer.allocateDirect(65536);
            while (writeEnd.write(chunk, 0, chunk.capacity()) > 0) {
                // fill the pipe until it would block
            }
            Task<Void> first = Curio.spawn(() -> {
                Traps.call(new Trap.WriteWait(writer));
                events.add("first writable");
            });
            Curio.schedule();
            assertThrows(WriteResourceBusyException.class, () -> Traps.call(new Trap.WriteWait(writer)));
            events.add("second busy");
            ByteBuffer sink = ByteBuffer.allocateDirect(65536);
            while (readEnd.read(sink, 0, sink.capacity()) > 0) {
                // drain so the writer becomes writable again
            }
            first.join();
            Traps.call(new Trap.IoRelease(writer));
        });
        events.assertEquals("second busy", "first writable");
    }

    /** Cancelling a task blocked on a read frees the read slot: another task can then wait. */
    @Test
    void cancelledReaderFreesTheSlot() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<String> first = Curio.spawn(() -> read(reader, readEnd));
            Curio.schedule();
            first.cancel();
            events.add("first " + first.exception().map(e -> e.getClass().getSimpleName()).orElse("?"));
            Task<String> second = Curio.spawn(() -> read(reader, readEnd));
            Curio.schedule();
            write(writeEnd, "y");
            events.add("second got " + second.join());
            Traps.call(new Trap.IoRelease(reader));
        });
        events.assertEquals("first TaskCancelledException", "second got y");
    }

    /** A read wait times out on the virtual clock, and the descriptor stays usable. */
    @Test
    void readWaitTimesOut() throws Exception {
        var events = new Harness.Events();
        VirtualClock clock = instantClock();
        Harness.run(clock, () -> {
            try {
                Timeouts.after(Duration.ofSeconds(3), () -> read(reader, readEnd));
            } catch (TaskTimeoutException e) {
                events.add("timeout at " + Duration.ofNanos(Timeouts.clock()));
            }
            write(writeEnd, "late");
            events.add("then " + read(reader, readEnd));
            Traps.call(new Trap.IoRelease(reader));
            return null;
        });
        events.assertEquals("timeout at PT3S", "then late");
    }

    /** IoRelease wakes a waiting reader normally (it then finds its descriptor gone) and drops the registration. */
    @Test
    void releaseWakesWaiterAndUnregisters() throws Exception {
        var events = new Harness.Events();
        Kernel kernel = Kernel.builder().clock(instantClock()).build();
        try (kernel) {
            kernel.run(() -> {
                Task<Void> waiter = Curio.spawn(() -> {
                    Traps.call(new Trap.ReadWait(reader));
                    events.add("waiter woken");
                });
                Curio.schedule();
                assertEquals(1, Curio.kernel().ledger().registrations());
                Traps.call(new Trap.IoRelease(reader));
                events.add("released");
                waiter.join();
                assertEquals(0, Curio.kernel().ledger().registrations());
            });
        }
        events.assertEquals("released", "waiter woken");
        assertTrue(kernel.ledger().isEmpty());
    }

    /**
     * A new Pollable for a reused descriptor number replaces the stale registration instead of
     * reporting busy or stale readiness.
     */
    @Test
    void reusedDescriptorNumberGetsAFreshRegistration() throws Exception {
        Harness.runVoid(() -> {
            write(writeEnd, "old");
            Traps.call(new Trap.ReadWait(reader));        // registers; readable at once (the edge is seen later)
            Pollable sameFdAgain = readEnd::intValue;     // a new owner of the same fd number
            ByteBuffer buf = ByteBuffer.allocateDirect(16);
            assertEquals(3, readEnd.read(buf, 0, 16));
            write(writeEnd, "new");
            assertEquals("new", read(sameFdAgain, readEnd));
            assertEquals(1, Curio.kernel().ledger().registrations());
            Traps.call(new Trap.IoRelease(sameFdAgain));
            Traps.call(new Trap.IoRelease(reader));       // the stale owner's release is a no-op now
            assertEquals(0, Curio.kernel().ledger().registrations());
        });
    }

    /** A plain thread writing into the pipe wakes a task blocked in epoll on the real clock. */
    @Test
    void threadWakesTaskThroughEpoll() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        Thread writerThread = Thread.ofPlatform().start(() -> {
            try {
                waiting.await();
                write(writeEnd, "from thread");
            } catch (InterruptedException | IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try (Kernel kernel = Kernel.create()) {
            String got = kernel.run(() -> {
                Task<String> r = Curio.spawn(() -> read(reader, readEnd));
                Curio.schedule();
                waiting.countDown();
                String s = r.join();
                Traps.call(new Trap.IoRelease(reader));
                return s;
            });
            assertEquals("from thread", got);
        } finally {
            writerThread.join();
        }
    }

    /** A pending cancellation is delivered by a read wait before anything is registered. */
    @Test
    void pendingCancelBeatsReadWait() throws Exception {
        var events = new Harness.Events();
        Harness.runVoid(() -> {
            Task<Void> t = Curio.spawn(() -> {
                Curio.currentTask().requestCancel();
                try {
                    Traps.call(new Trap.ReadWait(reader));
                } catch (TaskCancelledException e) {
                    events.add("cancelled before waiting");
                    throw e;
                }
            });
            t.await();
            assertEquals(0, Curio.kernel().ledger().registrations());
        });
        events.assertEquals("cancelled before waiting");
    }
}
