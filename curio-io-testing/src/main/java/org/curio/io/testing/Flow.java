package org.curio.io.testing;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.SplittableRandom;

import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.WaitQueue;
import org.jspecify.annotations.Nullable;

/**
 * One direction of a memory connection: the bytes in flight from one end to the other, the end of
 * stream, and the tasks waiting to send or receive in this direction.
 */
final class Flow {
    /*
     * Implementation notes. Each send appends one segment holding a copy of the bytes it took and the
     * kernel-clock time at which they become readable (send time + delay; 0 when there is no delay,
     * so that no clock is read). Times never decrease along the deque, so the readable bytes are a
     * prefix of it. A receive copies from that prefix, at most one chunk's worth. "In flight" counts
     * every byte sent and not yet received, readable or not; a sender waits while it equals the
     * buffer size. The end of stream is itself delivered like a byte: after the segments before it,
     * at shut time + delay, and not while the link is stalled.
     *
     * At most one task waits per side (the busy rule), so each wait queue holds at most one task;
     * reader/writer name the task inside a receive or send that has waited, for the busy message.
     */
    private static final long MIX = 0x9E3779B97F4A7C15L;   // decorrelates the two directions' chunk draws

    /** Bytes of one send, and when they become readable. */
    private static final class Segment {
        final byte[] data;
        int pos;                                          // first byte not yet received
        final long readyAt;

        Segment(byte[] data, long readyAt) {
            this.data = data;
            this.readyAt = readyAt;
        }
    }

    private final Link link;
    private final long delayNanos;
    private final int bufferSize;
    private final int chunkSize;
    private final @Nullable SplittableRandom chunks;      // random chunk sizes, when asked for
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private long inFlight;                                // bytes in segments
    private long sent;
    private long delivered;
    private boolean shut;                                 // no more bytes: end of stream after the rest
    private long shutAt;                                  // when the end of stream becomes readable
    private boolean receiverClosed;                       // the receiving end closed: bytes are dropped

    final WaitQueue readers = WaitQueue.fifo();
    final WaitQueue writers = WaitQueue.fifo();
    final Trap.SchedWait readWait = new Trap.SchedWait(readers, "MEMORY_RECV");
    final Trap.SchedWait writeWait = new Trap.SchedWait(writers, "MEMORY_SEND");
    @Nullable Task<?> reader;                             // the task in a receive that has waited
    @Nullable Task<?> writer;                             // the task in a send that has waited

    Flow(Link link, MemoryNetwork.Options options, boolean towardsLeft) {
        this.link = link;
        this.delayNanos = options.delay().toNanos();
        this.bufferSize = options.bufferSize();
        this.chunkSize = options.chunkSize();
        this.chunks = options.randomChunks()
                ? new SplittableRandom(towardsLeft ? options.chunkSeed() ^ MIX : options.chunkSeed())
                : null;
    }

    /** {@return whether receiving and sending need the kernel clock} */
    boolean delayed() {
        return delayNanos > 0;
    }

    /** {@return when bytes sent at {@code now} become readable} */
    private long readyTime(long now) {
        if (delayNanos == 0) {
            return 0;
        }
        long t = now + delayNanos;
        return t < now ? Trap.NO_DEADLINE - 1 : Math.min(t, Trap.NO_DEADLINE - 1);
    }

    /**
     * Takes readable bytes into {@code dst}, which has room: at most one chunk.
     *
     * @return the count, -1 at end of stream, or 0 if nothing is readable
     */
    int take(ByteBuffer dst, long now) {
        if (link.isStalled()) {
            return 0;
        }
        Segment head = segments.peekFirst();
        if (head == null) {
            return shut && shutAt <= now ? -1 : 0;
        }
        if (head.readyAt > now) {
            return 0;
        }
        int limit = Math.min(dst.remaining(), chunks == null ? chunkSize : 1 + chunks.nextInt(chunkSize));
        int n = 0;
        while (n < limit) {
            Segment s = segments.peekFirst();
            if (s == null || s.readyAt > now) {
                break;
            }
            int k = Math.min(limit - n, s.data.length - s.pos);
            dst.put(s.data, s.pos, k);
            s.pos += k;
            n += k;
            if (s.pos == s.data.length) {
                segments.removeFirst();
            }
        }
        inFlight -= n;
        delivered += n;
        return n;
    }

    /** {@return when something may next become readable, or {@link Trap#NO_DEADLINE}} */
    long nextReadable() {
        if (link.isStalled()) {
            return Trap.NO_DEADLINE;
        }
        Segment head = segments.peekFirst();
        if (head != null) {
            return head.readyAt;
        }
        return shut ? shutAt : Trap.NO_DEADLINE;
    }

    /** Puts as much of {@code src} as the buffer has room for; returns the count, 0 if it is full. */
    int put(ByteBuffer src, long now) {
        long room = bufferSize - inFlight;
        if (room <= 0) {
            return 0;
        }
        byte[] data = new byte[(int) Math.min(room, src.remaining())];
        src.get(data);
        segments.addLast(new Segment(data, readyTime(now)));
        inFlight += data.length;
        sent += data.length;
        return data.length;
    }

    /** Ends the stream after the bytes in flight; {@code now} is ignored without a delay. */
    void shut(long now) {
        if (!shut) {
            shut = true;
            shutAt = readyTime(now);
        }
    }

    boolean isShut() {
        return shut;
    }

    /** The receiving end has closed: drops the bytes in flight, and later sends fail. */
    void receiverClosed() {
        receiverClosed = true;
        drop();
    }

    boolean isReceiverClosed() {
        return receiverClosed;
    }

    /** Drops the bytes in flight (they were never received). */
    void drop() {
        segments.clear();
        inFlight = 0;
    }

    long sent() {
        return sent;
    }

    long delivered() {
        return delivered;
    }

    long inFlight() {
        return inFlight;
    }

    @Override
    public String toString() {
        return "sent=" + sent + " delivered=" + delivered + (shut ? " shut" : "");
    }
}
