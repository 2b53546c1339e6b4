package org.curio.io.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

import org.curio.io.ByteStream;
import org.curio.io.Connection;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.kernel.Ledger;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.kernel.VirtualClock;
import org.curio.kernel.VoidBody;
import org.curio.traps.CancelledException;
import org.curio.traps.ReadResourceBusyException;
import org.curio.traps.Task;
import org.curio.traps.TaskCancelledException;
import org.curio.traps.TaskTimeoutException;

/**
 * The behaviour every two-way {@link Connection} must have, written once and run against any
 * implementation: a connected stream {@link Socket} over TCP or a Unix-domain socket pair, an
 * in-memory connection, a TLS stream. It is the same check-list as Trio's
 * {@code check_two_way_stream}, with curio's rules for cancellation and partial progress, and it
 * encodes what a connected stream socket does. It needs no test framework: a failed check throws an
 * {@link AssertionError} whose message names the check and what differed. Wire it into JUnit 5 with a
 * test factory:
 *
 * {@snippet :
 * @TestFactory Stream<DynamicTest> contract() { return StreamContract.checks(f).stream().map(c -> DynamicTest.dynamicTest(c.name(), c::run)); }
 * }
 *
 * where {@code f} is a {@link PairFactory} that opens two connected ends.
 *
 * <p>Each {@link Check} runs in a fresh {@link Kernel} on a {@link VirtualClock}, so every order of
 * events is decided by the clock and never by real sleeps. The clock's autojump threshold is a few
 * milliseconds of real time, so a check over a real network costs little when it waits for a
 * timeout; no check relies on that threshold for bytes to arrive. A check opens a pair, runs its body,
 * closes both ends, and fails if the kernel still holds a task, timer, registration or future wait
 * afterwards. A check that has not ended after 30 seconds of real time is cancelled and fails as
 * hung (test frameworks do not time out dynamic tests).
 *
 * <p>The checks, by name:
 * <ul>
 *   <li>{@code sendAndReceive}: small messages cross both ways with exact bytes, through
 *       {@code send}, {@code sendAll}, {@code recv} and {@code recvInto};</li>
 *   <li>{@code largeTransferBothWays}: 1 MiB each way at the same time, sent and received in
 *       uneven pieces by four tasks, arrives intact without deadlock;</li>
 *   <li>{@code halfClose}: after {@code shutdownOutput} the peer reads the rest and then end of
 *       stream, every time it asks, while the other direction still works and sending fails;</li>
 *   <li>{@code peerCloseGivesEndOfStream}: after the peer sends and closes, the reader gets at most
 *       what was sent, as sent, then end of stream;</li>
 *   <li>{@code closeWhileReceiving}: closing a connection wakes a task blocked receiving on it with an
 *       {@link IOException} at once; the peer then reads end of stream, and its sends soon fail;</li>
 *   <li>{@code closeWhileSending}: a sender whose peer never reads blocks before 64 MiB have gone
 *       (flow control), and closing its connection wakes it with an {@link IOException} at once;</li>
 *   <li>{@code cancelReceiveLosesNothing}: a cancelled receive takes no byte with it;</li>
 *   <li>{@code cancelSendReportsProgress}: a {@code sendAll} of 64 MiB to a peer that does not read
 *       times out, and its buffer's position tells exactly how many bytes the peer then reads;</li>
 *   <li>{@code receiveTimeout}: a receive with nothing coming times out exactly on time, and the
 *       connection goes on working;</li>
 *   <li>{@code useAfterClose}: every call on a closed connection fails with an {@link IOException},
 *       without suspending; closing twice is harmless;</li>
 *   <li>{@code streamOverConnection}: {@link Connection#asStream()} is one stream whose lines and
 *       exact reads work, and closing it closes the connection;</li>
 *   <li>{@code emptyTransfers}: receiving into a full buffer and sending an empty one return 0
 *       without suspending;</li>
 *   <li>{@code secondReceiverIsBusy}: while one task waits to receive, a second one fails with
 *       {@link ReadResourceBusyException} at once, and the first still gets the data.</li>
 * </ul>
 *
 * <p><b>What the contract assumes.</b> Each direction buffers at least 16 KiB: some checks send up
 * to 10,000 bytes before the peer starts reading. Every socket does; an in-memory stream must be
 * given a buffer that large. Smaller buffers are legitimate, and tested on their own, but would make
 * those checks wait for ever (and fail as hung).
 *
 * <p><b>Thread safety.</b> Each check runs its own kernel on the calling thread, which must not be a
 * curio task; checks may run one after another or on different threads.
 */
public final class StreamContract {
    /*
     * Implementation notes. Bodies use the kernel clock (Timeouts) for every wait that is part of the
     * check: "settle" sleeps until every other task has blocked, and short timeouts turn a missing
     * wake-up into a failure at once. Waits that depend on the network itself (data or a FIN in
     * flight) carry no virtual timeout, because the clock may jump while real bytes are still on their
     * way; the real-time watchdog catches those hangs instead.
     */
    private static final Duration AUTOJUMP = Duration.ofMillis(20);
    private static final Duration WATCHDOG = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofMillis(10);
    private static final Duration PROMPT = Duration.ofSeconds(1);
    private static final int LARGE = 1 << 20;
    private static final int FLOOD_CAP = 64 << 20;
    private static final int CHUNK = 64 * 1024;

    private StreamContract() {}

    /** Opens the two connected ends a check works on. */
    @FunctionalInterface
    public interface PairFactory {
        /**
         * Suspends the calling task, a task of the kernel that runs the check, until two connected ends
         * are open, and returns them; the check closes both.
         *
         * @return the pair, owned by the caller
         * @throws Exception          if opening fails; the check fails with it
         * @throws CancelledException if the task is cancelled while opening
         */
        Pair open() throws Exception;
    }

    /**
     * Two ends of one connection: what {@code left} sends, {@code right} receives, and the other way.
     *
     * @param left  one end
     * @param right the other end
     */
    public record Pair(Connection left, Connection right) {
        /** Checks the components. */
        public Pair {
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
            if (left == right) {
                throw new IllegalArgumentException("left and right must be different connections: " + left);
            }
        }
    }

    /** The body of a check, run in a task of the check's kernel. */
    @FunctionalInterface
    public interface Body {
        /**
         * Checks {@code pair}, throwing an {@link AssertionError} that says what differed if it
         * misbehaves.
         *
         * @param pair the connected ends; closed by the check afterwards
         * @throws Exception anything; an unexpected exception fails the check
         */
        void run(Pair pair) throws Exception;
    }

    /**
     * One check of the contract, ready to run.
     *
     * @param name    the check's name, in lowerCamelCase
     * @param factory opens the pair the check works on
     * @param body    the check itself
     */
    public record Check(String name, PairFactory factory, Body body) {
        /** Checks the components. */
        public Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(factory, "factory");
            Objects.requireNonNull(body, "body");
        }

        /**
         * Runs the check in a fresh kernel on a {@link VirtualClock}: opens a pair, runs the body,
         * closes both ends, and checks that the kernel holds nothing afterwards. Blocks the calling
         * thread until the check ends.
         *
         * @throws AssertionError if the connection misbehaves, the check hangs, or the kernel is left
         *                        holding something; the message starts with the check's name
         * @throws Exception      if the kernel itself fails
         */
        public void run() throws Exception {
            String[] opened = {"(not opened)"};
            try (Kernel kernel = Kernel.builder().clock(VirtualClock.withAutojumpThreshold(AUTOJUMP)).build()) {
                kernel.run(() -> watched(opened));
                Ledger ledger = kernel.ledger();
                if (!ledger.isEmpty()) {
                    throw new AssertionError(name + " over " + opened[0] + ": the kernel still holds " + ledger
                            + " after the check");
                }
            }
        }

        /** Runs the check in a task, with a watchdog that cancels it after {@link #WATCHDOG} of real time. */
        private void watched(String[] opened) throws CancelledException {
            CompletableFuture<Void> alarm = new CompletableFuture<>();
            Thread timer = Thread.ofVirtual().name("stream-contract-watchdog").start(() -> {
                try {
                    Thread.sleep(WATCHDOG);
                    alarm.complete(null);
                } catch (InterruptedException e) {
                    // The check ended first.
                }
            });
            try {
                Task<Void> work = Curio.spawn(() -> openAndCheck(opened));
                Task<Void> dog = Curio.spawn(() -> {
                    try {
                        Curio.awaitFuture(alarm);
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("the watchdog's alarm cannot fail", e);
                    }
                    work.cancel();
                });
                work.await();
                boolean hung = alarm.isDone();
                dog.cancel();
                Throwable failure = work.exception().orElse(null);
                if (hung) {
                    throw new AssertionError(name + " over " + opened[0] + ": hung; cancelled after " + WATCHDOG
                            + " of real time", failure);
                }
                if (failure instanceof AssertionError e) {
                    throw new AssertionError(name + " over " + opened[0] + ": " + e.getMessage(), e);
                }
                if (failure != null) {
                    throw new AssertionError(name + " over " + opened[0] + ": unexpected " + failure, failure);
                }
            } finally {
                timer.interrupt();
            }
        }

        private void openAndCheck(String[] opened) throws Exception {
            Pair pair = Objects.requireNonNull(factory.open(), "factory returned null");
            opened[0] = pair.toString();
            try {
                body.run(pair);
            } finally {
                pair.left().close();
                pair.right().close();
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * {@return every check of the contract, each opening its pairs with {@code factory}} The list is
     * in a fixed order; each check is independent of the others.
     *
     * @param factory opens two connected ends; called once per check, in a task of that check's kernel
     */
    public static List<Check> checks(PairFactory factory) {
        Objects.requireNonNull(factory, "factory");
        return List.of(
                new Check("sendAndReceive", factory, StreamContract::sendAndReceive),
                new Check("largeTransferBothWays", factory, StreamContract::largeTransferBothWays),
                new Check("halfClose", factory, StreamContract::halfClose),
                new Check("peerCloseGivesEndOfStream", factory, StreamContract::peerCloseGivesEndOfStream),
                new Check("closeWhileReceiving", factory, StreamContract::closeWhileReceiving),
                new Check("closeWhileSending", factory, StreamContract::closeWhileSending),
                new Check("cancelReceiveLosesNothing", factory, StreamContract::cancelReceiveLosesNothing),
                new Check("cancelSendReportsProgress", factory, StreamContract::cancelSendReportsProgress),
                new Check("receiveTimeout", factory, StreamContract::receiveTimeout),
                new Check("useAfterClose", factory, StreamContract::useAfterClose),
                new Check("streamOverConnection", factory, StreamContract::streamOverConnection),
                new Check("emptyTransfers", factory, StreamContract::emptyTransfers),
                new Check("secondReceiverIsBusy", factory, StreamContract::secondReceiverIsBusy));
    }

    // ------------------------------------------------------------------ the checks

    private static void sendAndReceive(Pair pair) throws IOException, CancelledException {
        Connection left = pair.left();
        Connection right = pair.right();
        for (int i = 0; i < 5; i++) {
            byte[] ping = ascii("ping " + i);
            left.sendAll(ping);
            same("left to right, message " + i + " (sendAll, recv)", ping, receiveExactlyWithRecv(right, ping.length));

            byte[] pong = ascii("pong number " + i);
            ByteBuffer src = ByteBuffer.wrap(pong);
            while (src.hasRemaining()) {
                int before = src.position();
                int n = right.send(src);
                expect(n > 0 && src.position() == before + n, () -> "right to left, message: send returned " + n
                        + " but the position moved from " + before + " to " + src.position());
            }
            same("right to left, message " + i + " (send, recvInto)", pong, receiveExactly(left, pong.length));
        }
        ByteBuffer last = ByteBuffer.wrap(ascii("over and out"));
        left.sendAll(last);
        expect(!last.hasRemaining(), () -> "sendAll(ByteBuffer) returned with " + last.remaining()
                + " bytes left in the buffer");
        same("left to right, last message", ascii("over and out"), receiveExactly(right, last.capacity()));

        left.shutdownOutput();
        right.shutdownOutput();
        same("left to right, after everything was read", new byte[0], receiveToEnd(right, CHUNK));
        same("right to left, after everything was read", new byte[0], receiveToEnd(left, CHUNK));
    }

    private static void largeTransferBothWays(Pair pair) throws Exception {
        byte[] rightward = pattern(LARGE, 1);
        byte[] leftward = pattern(LARGE, 2);
        byte[][] received = new byte[2][];
        together(
                () -> sendInPieces(pair.left(), rightward, 11),
                () -> received[0] = receiveInPieces(pair.right(), LARGE, 12),
                () -> sendInPieces(pair.right(), leftward, 13),
                () -> received[1] = receiveInPieces(pair.left(), LARGE, 14));
        same("1 MiB from left to right", rightward, received[0]);
        same("1 MiB from right to left", leftward, received[1]);
    }

    private static void halfClose(Pair pair) throws IOException, CancelledException {
        Connection left = pair.left();
        Connection right = pair.right();
        byte[] words = ascii("last words before the half-close");
        left.sendAll(words);
        left.shutdownOutput();
        expect(left.isOpen(), () -> "isOpen() is false after shutdownOutput()");
        same("the bytes sent before shutdownOutput", words, receiveToEnd(right, CHUNK));
        for (int i = 0; i < 3; i++) {
            int n = right.recvInto(ByteBuffer.allocate(16));
            int round = i;
            expect(n == -1, () -> "recvInto after end of stream (time " + (round + 2) + ") returned " + n
                    + ", expected -1");
            byte[] more = right.recv(16);
            expect(more.length == 0, () -> "recv after end of stream (time " + (round + 1) + ") returned "
                    + more.length + " bytes, expected none");
        }
        byte[] reply = ascii("the other direction still works");
        right.sendAll(reply);
        same("right to left after left's half-close", reply, receiveExactly(left, reply.length));
        expectIOException("send after shutdownOutput", () -> left.send(ByteBuffer.wrap(ascii("late"))));
        expectIOException("sendAll after shutdownOutput", () -> left.sendAll(ascii("later")));
    }

    private static void peerCloseGivesEndOfStream(Pair pair) throws IOException, CancelledException {
        byte[] sent = pattern(10_000, 3);
        pair.left().sendAll(sent);
        pair.left().close();
        byte[] got = receiveToEnd(pair.right(), sent.length + CHUNK);
        expect(got.length <= sent.length, () -> "received " + got.length + " bytes after the peer sent "
                + sent.length + " and closed");
        same("the bytes received before end of stream (a prefix of what was sent)",
                Arrays.copyOf(sent, got.length), got);
        int n = pair.right().recvInto(ByteBuffer.allocate(16));
        expect(n == -1, () -> "recvInto after end of stream (again) returned " + n + ", expected -1");
        byte[] more = pair.right().recv(16);
        expect(more.length == 0, () -> "recv after end of stream returned " + more.length + " bytes");
    }

    private static void closeWhileReceiving(Pair pair) throws IOException, CancelledException {
        Connection left = pair.left();
        Connection right = pair.right();
        Trace trace = new Trace();
        Task<Void> receiver = Curio.spawn(() -> {
            trace.add("receiver waits");
            try {
                byte[] got = right.recv(100);
                trace.add("receiver got " + got.length + " bytes");
            } catch (IOException e) {
                trace.add("receiver failed with an IOException");
            }
        });
        settle();
        trace.add("closing right");
        right.close();
        awaitPromptly(receiver, "the receiver blocked in recv did not wake within " + PROMPT + " after close()");
        trace.expect("closing the connection a task receives on", "receiver waits", "closing right",
                "receiver failed with an IOException");

        try {
            int n = left.recvInto(ByteBuffer.allocate(16));
            expect(n == -1, () -> "after the peer closed, recvInto returned " + n + ", expected -1 (end of stream)");
        } catch (IOException e) {
            // A reset is also how a closed peer may show.
        }
        expectSendFails(left, "send after the peer closed");
    }

    private static void closeWhileSending(Pair pair) throws CancelledException {
        Connection left = pair.left();
        Trace trace = new Trace();
        Task<Void> sender = Curio.spawn(() -> {
            trace.add("sender sends");
            ByteBuffer chunk = ByteBuffer.wrap(pattern(CHUNK, 4));
            try {
                for (long sent = 0; sent < FLOOD_CAP; sent += CHUNK) {
                    left.sendAll(chunk.clear());
                }
                trace.add("sender sent " + FLOOD_CAP + " bytes without blocking");
            } catch (IOException e) {
                trace.add("sender failed with an IOException");
            }
        });
        settle();
        trace.add(sender.isTerminated() ? "sender ended" : "sender blocked");
        trace.add("closing left");
        left.close();
        awaitPromptly(sender, "the sender blocked in sendAll did not wake within " + PROMPT + " after close()");
        trace.expect("closing the connection a task sends on, while the peer does not read", "sender sends",
                "sender blocked", "closing left", "sender failed with an IOException");
    }

    private static void cancelReceiveLosesNothing(Pair pair) throws IOException, CancelledException {
        Connection right = pair.right();
        Trace trace = new Trace();
        ByteBuffer abandoned = ByteBuffer.allocate(100);
        Task<Void> receiver = Curio.spawn(() -> {
            trace.add("receiver waits");
            try {
                int n = right.recvInto(abandoned);
                trace.add("receiver got " + n + " bytes");
            } catch (TaskCancelledException e) {
                trace.add("receiver cancelled");
                throw e;
            }
        });
        settle();
        receiver.cancel();
        trace.add("cancel returned");
        trace.expect("cancelling a blocked receive", "receiver waits", "receiver cancelled", "cancel returned");
        expect(abandoned.position() == 0, () -> "the cancelled recvInto put " + abandoned.position()
                + " bytes into its buffer");

        byte[] sent = pattern(1000, 5);
        pair.left().sendAll(sent);
        pair.left().shutdownOutput();
        same("the bytes sent after the cancelled receive", sent, receiveToEnd(right, sent.length + CHUNK));
    }

    private static void cancelSendReportsProgress(Pair pair) throws IOException, CancelledException {
        Connection left = pair.left();
        byte[] data = pattern(FLOOD_CAP, 6);
        ByteBuffer src = ByteBuffer.wrap(data);
        long start = Timeouts.clock();
        try {
            Timeouts.after(PROMPT, () -> left.sendAll(src));
            throw new AssertionError("sendAll of " + FLOOD_CAP + " bytes finished although the peer never read");
        } catch (TaskTimeoutException e) {
            // Expected: the peer does not read, so the sender blocks until its timeout.
        }
        long waited = Timeouts.clock() - start;
        expect(waited == PROMPT.toNanos(), () -> "the timed-out sendAll took " + Duration.ofNanos(waited)
                + " on the kernel clock, expected " + PROMPT);
        int progress = src.position();
        left.shutdownOutput();
        byte[] got = receiveToEnd(pair.right(), FLOOD_CAP);
        expect(got.length == progress, () -> "the timed-out sendAll reported " + progress
                + " bytes sent (its buffer's position), but the peer read " + got.length);
        same("the bytes the peer read (the prefix the position reports)", Arrays.copyOf(data, progress), got);
    }

    private static void receiveTimeout(Pair pair) throws IOException, CancelledException {
        Connection right = pair.right();
        long start = Timeouts.clock();
        try {
            byte[] got = Timeouts.after(PROMPT, () -> right.recv(100));
            throw new AssertionError("recv returned " + got.length + " bytes although nothing was sent");
        } catch (TaskTimeoutException e) {
            // Expected.
        }
        long waited = Timeouts.clock() - start;
        expect(waited == PROMPT.toNanos(), () -> "the recv timed out after " + Duration.ofNanos(waited)
                + " on the kernel clock, expected exactly " + PROMPT);
        byte[] later = ascii("after the timeout");
        pair.left().sendAll(later);
        same("the bytes sent after a timed-out recv", later, receiveExactly(right, later.length));
    }

    private static void useAfterClose(Pair pair) throws CancelledException {
        Connection right = pair.right();
        right.close();
        expect(!right.isOpen(), () -> "isOpen() is true after close()");
        right.close();
        expect(!right.isOpen(), () -> "isOpen() is true after a second close()");
        long start = Timeouts.clock();
        expectIOException("recv after close", () -> right.recv(10));
        expectIOException("recvInto after close", () -> right.recvInto(ByteBuffer.allocate(10)));
        expectIOException("recvInto with a full buffer after close", () -> right.recvInto(ByteBuffer.allocate(0)));
        expectIOException("send after close", () -> right.send(ByteBuffer.wrap(ascii("x"))));
        expectIOException("send of an empty buffer after close", () -> right.send(ByteBuffer.allocate(0)));
        expectIOException("sendAll after close", () -> right.sendAll(ascii("x")));
        expectIOException("shutdownOutput after close", right::shutdownOutput);
        expectIOException("localAddress after close", right::localAddress);
        expectIOException("remoteAddress after close", right::remoteAddress);
        long waited = Timeouts.clock() - start;
        expect(waited == 0, () -> "calls on a closed connection took " + Duration.ofNanos(waited)
                + " on the kernel clock, expected none");
    }

    private static void streamOverConnection(Pair pair) throws IOException, CancelledException {
        Connection left = pair.left();
        Connection right = pair.right();
        ByteStream stream = right.asStream();
        expect(stream == right.asStream(), () -> "asStream() returned a different stream on the second call");
        left.sendAll(ascii("first line\nsecond line\n0123456789tail"));
        same("readLine, first line", ascii("first line\n"), stream.readLine());
        same("readLine, second line", ascii("second line\n"), stream.readLine());
        same("readExactly(10)", ascii("0123456789"), stream.readExactly(10));
        left.shutdownOutput();
        same("readLine at end of stream, the unterminated rest", ascii("tail"), stream.readLine());
        same("readLine after end of stream", new byte[0], stream.readLine());

        stream.write(ascii("written through the stream\n"));
        same("bytes written through the stream", ascii("written through the stream\n"),
                receiveExactly(left, "written through the stream\n".length()));
        stream.close();
        expect(!right.isOpen(), () -> "the connection is still open after its stream was closed");
        expect(!stream.isOpen(), () -> "the stream is still open after close()");
        same("left after the right stream was closed", new byte[0], receiveToEnd(left, CHUNK));
    }

    private static void emptyTransfers(Pair pair) throws IOException, CancelledException {
        Connection left = pair.left();
        Connection right = pair.right();
        long start = Timeouts.clock();
        try {
            Timeouts.after(PROMPT, () -> {
                int n = right.recvInto(ByteBuffer.allocate(0));
                expect(n == 0, () -> "recvInto an empty buffer returned " + n + ", expected 0");
                ByteBuffer full = ByteBuffer.allocate(8).position(8);
                int m = right.recvInto(full);
                expect(m == 0 && full.position() == 8, () -> "recvInto a full buffer returned " + m
                        + " and moved its position to " + full.position() + ", expected 0 and 8");
                byte[] none = right.recv(0);
                expect(none.length == 0, () -> "recv(0) returned " + none.length + " bytes");
                int s = left.send(ByteBuffer.allocate(0));
                expect(s == 0, () -> "send of an empty buffer returned " + s + ", expected 0");
                ByteBuffer spent = ByteBuffer.wrap(ascii("spent")).position(5);
                int t = left.send(spent);
                expect(t == 0, () -> "send of a buffer with nothing remaining returned " + t + ", expected 0");
                left.sendAll(new byte[0]);
                left.sendAll(ByteBuffer.allocate(0));
            });
        } catch (TaskTimeoutException e) {
            throw new AssertionError("a transfer of nothing blocked (still waiting after " + PROMPT + ")", e);
        }
        long waited = Timeouts.clock() - start;
        expect(waited == 0, () -> "transfers of nothing took " + Duration.ofNanos(waited)
                + " on the kernel clock, expected none");
        byte[] word = ascii("something");
        left.sendAll(word);
        same("a real transfer after the empty ones", word, receiveExactly(right, word.length));
        left.shutdownOutput();
        same("what followed (the empty transfers must add nothing)", new byte[0], receiveToEnd(right, CHUNK));
    }

    private static void secondReceiverIsBusy(Pair pair) throws IOException, CancelledException {
        Connection right = pair.right();
        Trace trace = new Trace();
        Task<Void> first = Curio.spawn(() -> {
            trace.add("first waits");
            byte[] got = receiveExactlyWithRecv(right, 5);
            trace.add("first got " + text(got));
        });
        settle();
        trace.add("second waits");
        long start = Timeouts.clock();
        try {
            Timeouts.after(PROMPT, () -> right.recv(100));
            trace.add("second got data");
        } catch (ReadResourceBusyException e) {
            trace.add("second is busy");
        } catch (TaskTimeoutException e) {
            trace.add("second blocked until its timeout");
        }
        long waited = Timeouts.clock() - start;
        expect(waited == 0, () -> "the second receiver failed only after " + Duration.ofNanos(waited)
                + " on the kernel clock, expected at once");
        pair.left().sendAll(ascii("hello"));
        awaitPromptly(first, "the first receiver did not get the bytes sent");
        trace.expect("a second receiver while one waits", "first waits", "second waits", "second is busy",
                "first got hello");
    }

    // ------------------------------------------------------------------ helpers

    /** Sleeps on the kernel clock, which moves only once every other task has blocked. */
    private static void settle() throws CancelledException {
        Timeouts.sleep(SETTLE);
    }

    /** Waits at most {@link #PROMPT} of kernel time for {@code task}, failing with {@code what} if it has not ended. */
    private static void awaitPromptly(Task<?> task, String what) throws CancelledException {
        try {
            Timeouts.after(PROMPT, task::await);
        } catch (TaskTimeoutException e) {
            throw new AssertionError(what, e);
        }
        if (task.exception().orElse(null) instanceof Throwable failure) {
            if (failure instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError("a task of the check failed: " + failure, failure);
        }
    }

    /** Runs {@code bodies} as tasks of one group; the first failure cancels the others and is thrown. */
    private static void together(VoidBody<?>... bodies) throws Exception {
        try (TaskGroup<Object> group = TaskGroup.open()) {
            for (VoidBody<?> body : bodies) {
                group.spawn(body);
            }
            group.join();
            Throwable failure = group.exception().orElse(null);
            if (failure instanceof Exception e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        }
    }

    private static void sendInPieces(Connection conn, byte[] data, long seed) throws IOException, CancelledException {
        SplittableRandom random = new SplittableRandom(seed);
        int at = 0;
        boolean direct = false;
        while (at < data.length) {
            int size = Math.min(data.length - at, 1 + random.nextInt(70_000));
            ByteBuffer piece = direct ? ByteBuffer.allocateDirect(size).put(data, at, size).flip()
                    : ByteBuffer.wrap(data, at, size);
            direct = !direct;
            if (random.nextBoolean()) {
                conn.sendAll(piece);
            } else {
                while (piece.hasRemaining()) {
                    conn.send(piece);
                }
            }
            at += size;
        }
        conn.shutdownOutput();
    }

    private static byte[] receiveInPieces(Connection conn, int expected, long seed)
            throws IOException, CancelledException {
        SplittableRandom random = new SplittableRandom(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(expected);
        boolean direct = false;
        while (true) {
            int size = 1 + random.nextInt(70_000);
            ByteBuffer dst = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
            direct = !direct;
            int n = conn.recvInto(dst);
            if (n < 0) {
                return out.toByteArray();
            }
            expect(n > 0 && dst.position() == n, () -> "recvInto returned " + n + " but the position moved to "
                    + dst.position());
            if (out.size() + n > expected) {
                throw new AssertionError("received more than the " + expected + " bytes sent");
            }
            byte[] got = new byte[n];
            dst.flip().get(got);
            out.write(got, 0, n);
        }
    }

    /** Receives exactly {@code n} bytes with {@code recvInto}, failing if the stream ends first. */
    private static byte[] receiveExactly(Connection conn, int n) throws IOException, CancelledException {
        ByteBuffer dst = ByteBuffer.allocate(n);
        while (dst.hasRemaining()) {
            int before = dst.position();
            int got = conn.recvInto(dst);
            if (got < 0) {
                throw new AssertionError("end of stream after " + dst.position() + " of " + n + " bytes");
            }
            expect(got > 0 && dst.position() == before + got, () -> "recvInto returned " + got
                    + " but the position moved from " + before + " to " + dst.position());
        }
        return dst.array();
    }

    /** Receives exactly {@code n} bytes with {@code recv}, failing if the stream ends first. */
    private static byte[] receiveExactlyWithRecv(Connection conn, int n) throws IOException, CancelledException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        while (out.size() < n) {
            byte[] got = conn.recv(n - out.size());
            if (got.length == 0) {
                throw new AssertionError("end of stream after " + out.size() + " of " + n + " bytes");
            }
            if (got.length > n - out.size()) {
                throw new AssertionError("recv(" + (n - out.size()) + ") returned " + got.length + " bytes");
            }
            out.write(got, 0, got.length);
        }
        return out.toByteArray();
    }

    /** Receives until end of stream (-1 from {@code recvInto}), failing past {@code limit} bytes. */
    private static byte[] receiveToEnd(Connection conn, int limit) throws IOException, CancelledException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer dst = ByteBuffer.allocate(CHUNK);
        while (true) {
            int n = conn.recvInto(dst.clear());
            if (n < 0) {
                return out.toByteArray();
            }
            out.write(dst.array(), 0, n);
            if (out.size() > limit) {
                throw new AssertionError("received more than " + limit + " bytes before end of stream");
            }
        }
    }

    /** Sends until a send fails with an {@link IOException}; fails if 1 MiB goes out first. */
    private static void expectSendFails(Connection conn, String what) throws CancelledException {
        ByteBuffer piece = ByteBuffer.allocate(1024);
        try {
            Timeouts.after(PROMPT, () -> {
                for (int sent = 0; sent < LARGE; sent += piece.capacity()) {
                    conn.sendAll(piece.clear());
                    Curio.schedule();
                }
            });
        } catch (IOException e) {
            return;
        } catch (TaskTimeoutException e) {
            throw new AssertionError(what + ": blocked instead of failing with an IOException", e);
        }
        throw new AssertionError(what + ": " + LARGE + " bytes went out without an IOException");
    }

    /** A call expected to fail with an {@link IOException}. */
    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    private static void expectIOException(String what, Call call) throws CancelledException {
        try {
            call.run();
        } catch (IOException e) {
            return;
        } catch (CancelledException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(what + ": expected an IOException, got " + e, e);
        }
        throw new AssertionError(what + ": expected an IOException, but it succeeded");
    }

    private static void expect(boolean condition, Supplier<String> message) {
        if (!condition) {
            throw new AssertionError(message.get());
        }
    }

    /** Fails, naming {@code what}, the lengths and the first differing byte, if the arrays differ. */
    private static void same(String what, byte[] expected, byte[] actual) {
        if (Arrays.equals(expected, actual)) {
            return;
        }
        int at = Arrays.mismatch(expected, actual);
        StringBuilder sb = new StringBuilder(what).append(": expected ").append(expected.length)
                .append(" bytes, got ").append(actual.length).append("; first difference at byte ").append(at);
        if (expected.length <= 64 && actual.length <= 64) {
            sb.append(" (expected \"").append(preview(expected)).append("\", got \"").append(preview(actual))
                    .append("\")");
        }
        throw new AssertionError(sb.toString());
    }

    /** {@return {@code n} bytes that differ from those of another seed and do not repeat for a long stretch} */
    private static byte[] pattern(int n, int seed) {
        byte[] data = new byte[n];
        int mix = seed * 0x61C88647;
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (((i + mix) * 0x9E3779B1) >>> 24);
        }
        return data;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@return {@code b} as ASCII text, with other bytes and control characters escaped} */
    private static String preview(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int c = x & 0xff;
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\\' -> sb.append("\\\\");
                default -> sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** The events of a check, in the order they happened. */
    private static final class Trace {
        private final List<String> events = new ArrayList<>();

        void add(String event) {
            events.add(event);
        }

        void expect(String what, String... expected) {
            if (!events.equals(List.of(expected))) {
                throw new AssertionError(what + ": events were " + events + ", expected " + List.of(expected));
            }
        }
    }
}
