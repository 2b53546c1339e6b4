package org.curio.traps;

/**
 * What a readiness wait saw on a file descriptor: the answer of {@link Trap.ReadWait} and
 * {@link Trap.WriteWait}. A set of events drawn from {@link #READABLE}, {@link #WRITABLE},
 * {@link #READ_HANGUP} (the peer shut down its sending side: end of stream is pending),
 * {@link #HANGUP} (both directions are shut down), {@link #ERROR} and {@link #PRIORITY} (TCP urgent
 * data is pending).
 *
 * <p>I/O code uses it to skip a system call that is bound to fail with "would block": after a wake
 * that reported neither a hang-up nor an error, a read that drained the descriptor (it returned fewer
 * bytes than asked) leaves nothing to read until the next edge, so the next read may wait first.
 * {@link #endsStream()} and {@link #PRIORITY} tell when that shortcut must not be taken.
 *
 * {@snippet :
 * Readiness seen = Traps.call(new Trap.ReadWait(fd));
 * if (seen.endsStream()) {
 *     // end of stream, a reset or an error is pending: read at once, do not wait again
 * }
 * }
 *
 * <p>There is one instance per combination of events, so answering a wait allocates nothing, and
 * instances may be compared with {@code ==}. {@link #NONE} is the answer of a wait that ended without
 * an event (the descriptor was released while the task waited); nothing may be concluded from it.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class Readiness {
    /*
     * Implementation notes. The events are the bits of an int; the 32 combinations are made once, in
     * the class initializer, and of() indexes them, so the kernel's answer to every wait is a constant.
     */

    /** Reading will not block: data, end of stream, a connection to accept, or an error. */
    public static final int READABLE = 1;
    /** Writing will not block: room to send, a connect that finished, or an error. */
    public static final int WRITABLE = 1 << 1;
    /** The peer shut down its sending side (epoll's {@code EPOLLRDHUP}): end of stream is pending. */
    public static final int READ_HANGUP = 1 << 2;
    /** Both directions are shut down (epoll's {@code EPOLLHUP}), for example after a reset. */
    public static final int HANGUP = 1 << 3;
    /** An error is pending on the descriptor (epoll's {@code EPOLLERR}), for example a reset. */
    public static final int ERROR = 1 << 4;
    /**
     * TCP urgent data is pending (epoll's {@code EPOLLPRI}): a read stops short at its mark with more
     * data behind it, so a short read does not mean the socket was drained. Comes with {@link #READABLE}.
     */
    public static final int PRIORITY = 1 << 5;

    private static final int ALL = READABLE | WRITABLE | READ_HANGUP | HANGUP | ERROR | PRIORITY;
    private static final Readiness[] CACHE = new Readiness[ALL + 1];

    static {
        for (int bits = 0; bits <= ALL; bits++) {
            CACHE[bits] = new Readiness(bits);
        }
    }

    /** The answer of a wait that ended without an event: the descriptor was released meanwhile. */
    public static final Readiness NONE = CACHE[0];

    private final int events;

    private Readiness(int events) {
        this.events = events;
    }

    /**
     * {@return the instance for {@code events}}
     *
     * @param events a combination of {@link #READABLE}, {@link #WRITABLE}, {@link #READ_HANGUP},
     *               {@link #HANGUP}, {@link #ERROR} and {@link #PRIORITY}
     * @throws IllegalArgumentException if {@code events} has any other bit set
     */
    public static Readiness of(int events) {
        if ((events & ~ALL) != 0) {
            throw new IllegalArgumentException("unknown readiness bits: 0x" + Integer.toHexString(events & ~ALL)
                    + " (use Readiness.READABLE, WRITABLE, READ_HANGUP, HANGUP, ERROR, PRIORITY)");
        }
        return CACHE[events];
    }

    /** {@return the events, as bits} */
    public int events() {
        return events;
    }

    /**
     * {@return whether all of {@code bits} were seen}
     *
     * @param bits one or more of the event constants
     */
    public boolean has(int bits) {
        return (events & bits) == bits && bits != 0;
    }

    /** {@return whether reading will not block} */
    public boolean isReadable() {
        return (events & READABLE) != 0;
    }

    /** {@return whether writing will not block} */
    public boolean isWritable() {
        return (events & WRITABLE) != 0;
    }

    /**
     * {@return whether a read-side hang-up, a full hang-up or an error was seen} After such a wake,
     * end of stream or a failure is waiting to be read, whatever a read returns first, so the next read
     * must be made at once.
     */
    public boolean endsStream() {
        return (events & (READ_HANGUP | HANGUP | ERROR)) != 0;
    }

    /**
     * {@return the union of this and {@code other}}
     *
     * @param other more events
     */
    public Readiness with(Readiness other) {
        return CACHE[events | other.events];
    }

    @Override
    public String toString() {
        if (events == 0) {
            return "Readiness[none]";
        }
        StringBuilder s = new StringBuilder("Readiness[");
        String[] names = {"readable", "writable", "read-hangup", "hangup", "error", "priority"};
        for (int i = 0; i < names.length; i++) {
            if ((events & (1 << i)) != 0) {
                s.append(s.length() > "Readiness[".length() ? ", " : "").append(names[i]);
            }
        }
        return s.append(']').toString();
    }
}
