package org.curio.io.testing;

import java.net.BindException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.curio.io.Connection;
import org.curio.io.Connector;
import org.curio.io.Listener;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.WaitQueue;
import org.jspecify.annotations.Nullable;

/**
 * A network in memory: named listeners and connected {@link MemoryConnection}s that behave like TCP
 * streams, so protocol code written against {@link Connection}, {@link Listener} and
 * {@link Connector} can be tested end to end, deterministically, without sockets, threads or real
 * time. Buffer sizes, receive chunking and delivery delay are {@linkplain Options options}; each
 * connection's {@link Link} injects faults (reset, stall, end of stream).
 *
 * {@snippet :
 * MemoryNetwork network = MemoryNetwork.create();
 * Listener<MemoryConnection> listener = network.listen("echo");
 * try (TaskGroup<Object> group = TaskGroup.open()) {
 *     group.spawn(() -> {                                       // the server: echoes one client's lines
 *         try (MemoryConnection client = listener.accept()) {
 *             client.asStream().forEachLine(client.asStream()::write);
 *         }
 *     });
 *     try (MemoryConnection conn = network.connect("echo")) {   // the client
 *         conn.asStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
 *         byte[] reply = conn.asStream().readLine();            // "hello\n"
 *     }
 *     group.join();
 * }
 * }
 *
 * <p><b>Time.</b> Delays run on the kernel clock, so on a {@code VirtualClock} a delay of a second
 * takes no real time and is exact. Nothing here reads the system clock or starts a thread; waiting
 * is done through wait-queue traps (and a timeout while a delay runs), which leave nothing in the
 * kernel's ledger once they return.
 *
 * <p><b>Connecting.</b> {@link #connect(String)} returns as soon as the connection is in the
 * listener's backlog (as a TCP connect returns before the server accepts), and the client may send
 * at once; when the backlog is full, clients wait in arrival order until the server accepts. With no
 * listener of that name, connect fails at once with {@link ConnectException}.
 *
 * <p><b>Cancellation.</b> Accept, connect, receive and send are cancellation points while they wait;
 * a cancelled or timed-out call takes, sends and connects nothing.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a network and everything made from it;
 * a wait or wake from a task of another kernel fails with {@link IllegalStateException}. Methods that
 * never suspend may also be called when none of the kernel's tasks is running (for example before or
 * after {@code Kernel.run}); they then wake no waiting task.
 */
public final class MemoryNetwork implements AutoCloseable {
    /*
     * Implementation notes. Everything is plain fields: tasks of one kernel run one at a time. Each
     * connection is a Link of two Flows (one per direction) and two MemoryConnection ends; each side
     * of a flow has a wait queue for its one waiter (the busy rule keeps it to one). Waking is a
     * SchedWake of one task, which then looks at the state again, so a close, a reset or new bytes
     * need no message to the waiter. A receive that waits for bytes still on their delay parks under
     * an ignoreAfter timeout set to the moment they become readable.
     */
    private static final Trap.Clock CLOCK = new Trap.Clock();
    private static final Trap.GetKernel<Object> GET_KERNEL = new Trap.GetKernel<>(Object.class);

    private final Options defaults;
    private final TreeMap<String, MemoryListener> listeners = new TreeMap<>();
    private final Set<MemoryConnection> open = new LinkedHashSet<>();      // open ends, oldest first
    private final List<Consumer<Link>> observers = new ArrayList<>();
    private int made;                                     // connections made; numbers them from 1
    private @Nullable Object kernel;                      // the kernel whose tasks have waited here

    /**
     * The settings of a connection (and, for {@code backlog}, of a listener).
     *
     * @param bufferSize   the most bytes in flight per direction, sent and not yet received, before a
     *                     sender waits; at least 1 (default 64 KiB)
     * @param chunkSize    the most bytes one receive returns; at least 1 (default {@link #UNLIMITED})
     * @param randomChunks whether each receive returns at most a random number of bytes in
     *                     {@code [1, chunkSize]}, drawn from a generator seeded with {@code chunkSeed}
     *                     (one per direction), so framing bugs show and the same seed gives the same
     *                     chunks (default false)
     * @param chunkSeed    the seed of the random chunk sizes
     * @param delay        the time on the kernel clock between a send and its bytes (or an end of
     *                     stream) becoming readable; not negative (default zero)
     * @param backlog      the most connections a listener holds made but not yet accepted before
     *                     clients wait; at least 1 (default 128)
     */
    public record Options(int bufferSize, int chunkSize, boolean randomChunks, long chunkSeed, Duration delay,
                          int backlog) {
        /** The chunk size that does not limit receives. */
        public static final int UNLIMITED = Integer.MAX_VALUE;

        /** Checks the components. */
        public Options {
            Objects.requireNonNull(delay, "delay");
            if (bufferSize < 1) {
                throw new IllegalArgumentException("bufferSize must be positive: " + bufferSize);
            }
            if (chunkSize < 1) {
                throw new IllegalArgumentException("chunkSize must be positive: " + chunkSize);
            }
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
            if (delay.compareTo(Duration.ofDays(365L * 100)) > 0) {
                throw new IllegalArgumentException("delay must be at most 100 years: " + delay);
            }
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be positive: " + backlog);
            }
        }

        /** {@return 64 KiB buffers, unlimited chunks, no delay, a backlog of 128} */
        public static Options defaults() {
            return new Options(64 * 1024, UNLIMITED, false, 0, Duration.ZERO, 128);
        }

        /**
         * {@return these options with another buffer size}
         *
         * @param bufferSize bytes in flight per direction before a sender waits; at least 1
         */
        public Options withBufferSize(int bufferSize) {
            return new Options(bufferSize, chunkSize, randomChunks, chunkSeed, delay, backlog);
        }

        /**
         * {@return these options with receives of at most {@code chunkSize} bytes each}
         *
         * @param chunkSize the most one receive returns; at least 1, or {@link #UNLIMITED}
         */
        public Options withChunkSize(int chunkSize) {
            return new Options(bufferSize, chunkSize, false, chunkSeed, delay, backlog);
        }

        /**
         * {@return these options with receives of random sizes in {@code [1, maxChunkSize]}, the same for
         * the same seed}
         *
         * @param maxChunkSize the most one receive returns; at least 1
         * @param seed         the seed
         */
        public Options withRandomChunks(int maxChunkSize, long seed) {
            return new Options(bufferSize, maxChunkSize, true, seed, delay, backlog);
        }

        /**
         * {@return these options with another delivery delay}
         *
         * @param delay time on the kernel clock from a send to its bytes being readable; not negative
         */
        public Options withDelay(Duration delay) {
            return new Options(bufferSize, chunkSize, randomChunks, chunkSeed, delay, backlog);
        }

        /**
         * {@return these options with another listener backlog}
         *
         * @param backlog connections made but not yet accepted before clients wait; at least 1
         */
        public Options withBacklog(int backlog) {
            return new Options(bufferSize, chunkSize, randomChunks, chunkSeed, delay, backlog);
        }
    }

    /**
     * Two memory connections joined to each other, from {@link #pair()}; closing the pair closes
     * both.
     *
     * @param left  one end, {@code memory:pair#n}
     * @param right the other end, {@code memory:pair}
     */
    public record Pair(MemoryConnection left, MemoryConnection right) implements AutoCloseable {
        /** Checks the components. */
        public Pair {
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }

        /** {@return the link between the two ends} */
        public Link link() {
            return left.link();
        }

        /** Closes both ends. Never suspends. */
        @Override
        public void close() {
            left.close();
            right.close();
        }
    }

    private MemoryNetwork(Options defaults) {
        this.defaults = defaults;
    }

    /** {@return a new network with {@linkplain Options#defaults() default options}} */
    public static MemoryNetwork create() {
        return new MemoryNetwork(Options.defaults());
    }

    /**
     * {@return a new network whose pairs and listeners use {@code defaults} unless told otherwise}
     *
     * @param defaults the options
     */
    public static MemoryNetwork create(Options defaults) {
        return new MemoryNetwork(Objects.requireNonNull(defaults, "defaults"));
    }

    /** {@return the options of pairs and listeners made without options} */
    public Options defaults() {
        return defaults;
    }

    /** {@return two connected ends, with the network's default options} Never suspends. */
    public Pair pair() {
        return pair(defaults);
    }

    /**
     * {@return two connected ends} Never suspends. The {@link #onConnect} observers are told of the
     * new link.
     *
     * @param options the connection's options
     */
    public Pair pair(Options options) {
        Link link = newLink("pair", Objects.requireNonNull(options, "options"));
        return new Pair(link.left(), link.right());
    }

    /**
     * Listens on {@code name} with the network's default options. Never suspends.
     *
     * @param name the name clients connect to; not empty
     * @return the listener, which frees the name when closed
     * @throws BindException if an open listener has the name
     */
    public Listener<MemoryConnection> listen(String name) throws BindException {
        return listen(name, defaults);
    }

    /**
     * Listens on {@code name}. Never suspends.
     *
     * @param name    the name clients connect to; not empty
     * @param options the options of the connections it accepts, and its backlog
     * @return the listener, which frees the name when closed
     * @throws BindException if an open listener has the name
     */
    public Listener<MemoryConnection> listen(String name, Options options) throws BindException {
        MemoryAddress address = MemoryAddress.of(name);
        Objects.requireNonNull(options, "options");
        if (listeners.containsKey(name)) {
            throw new BindException("address already in use: " + address);
        }
        MemoryListener listener = new MemoryListener(this, name, options);
        listeners.put(name, listener);
        return listener;
    }

    /**
     * {@return a connector that connects to {@code name} each time it is called}
     *
     * @param name the listener's name
     */
    public Connector<MemoryConnection> connector(String name) {
        Objects.requireNonNull(name, "name");
        return () -> connect(name);
    }

    /**
     * Suspends the calling task until the listener on {@code name} has room in its backlog, then
     * connects to it; returns the client's end. Returns at once when there is room. The
     * {@link #onConnect} observers are told of the new link before this returns.
     *
     * @param name the listener's name
     * @return the client's end, with the listener's options
     * @throws ConnectException   "connection refused" if no listener has the name, or it closes while
     *                            this task waits
     * @throws CancelledException if the task is cancelled or times out while waiting; no connection
     *                            was made
     */
    public MemoryConnection connect(String name) throws ConnectException, CancelledException {
        Objects.requireNonNull(name, "name");
        MemoryListener listener = listeners.get(name);
        if (listener == null) {
            throw new ConnectException("connection refused: " + name);
        }
        return listener.connect();
    }

    /**
     * Registers {@code observer} to be told of every connection made from now on, with its link,
     * before the connection is used: in the task that calls {@link #pair()} or {@link #connect}, before
     * the call returns. If an observer throws, the new connection is closed and the call fails with the
     * observer's exception. Never suspends.
     *
     * @param observer what to run for each new link, for example to inject faults
     */
    public void onConnect(Consumer<Link> observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
    }

    /** {@return how many connection ends are open (a connected pair counts two)} */
    public int openConnections() {
        return open.size();
    }

    /** {@return how many listeners are open} */
    public int openListeners() {
        return listeners.size();
    }

    /** {@return how many connections were ever made on this network} */
    public int connectionsMade() {
        return made;
    }

    /**
     * Closes every open listener and every open connection end. Never suspends; see
     * {@link MemoryConnection#close()}.
     */
    @Override
    public void close() {
        for (MemoryListener l : List.copyOf(listeners.values())) {
            l.close();
        }
        for (MemoryConnection c : List.copyOf(open)) {
            c.close();
        }
    }

    /**
     * {@return the open listeners' names and the counts, such as
     * {@code MemoryNetwork[listening=[kv], open=2, made=1]}}
     */
    @Override
    public String toString() {
        return "MemoryNetwork[listening=" + listeners.keySet() + ", open=" + open.size() + ", made=" + made + "]";
    }

    // ------------------------------------------------------------------ for the package

    /** Makes a connection and tells the observers. */
    Link newLink(String name, Options options) {
        made++;
        Link link = new Link(this, name, made, options);
        open.add(link.left());
        open.add(link.right());
        try {
            for (int i = 0; i < observers.size(); i++) {
                observers.get(i).accept(link);
            }
        } catch (RuntimeException | Error e) {
            link.left().close();
            link.right().close();
            throw e;
        }
        return link;
    }

    /** An end has closed. */
    void closed(MemoryConnection end) {
        open.remove(end);
    }

    /** A listener has closed; frees its name. */
    void unbind(String name, MemoryListener listener) {
        listeners.remove(name, listener);
    }

    /** {@return the kernel clock if {@code flow} has a delay and a task is calling, else 0} */
    long now(Flow flow) {
        return flow.delayed() && Traps.inTask() ? Traps.call(CLOCK) : 0;
    }

    /**
     * Suspends the calling task until woken through {@code wait}'s queue or, if {@code deadline} is not
     * {@link Trap#NO_DEADLINE}, until the kernel clock reaches it.
     */
    void park(Trap.SchedWait wait, long deadline) throws CancelledException {
        checkKernel();
        if (deadline == Trap.NO_DEADLINE) {
            Traps.call(wait);
            return;
        }
        long remaining = deadline - Traps.call(CLOCK);
        if (remaining <= 0) {
            return;
        }
        Timeouts.ignoreAfter(Duration.ofNanos(remaining), () -> {
            Traps.call(wait);
        });
    }

    /** Wakes the task waiting on {@code queue}, if any, when a task is calling. */
    void wake(WaitQueue queue) {
        if (queue.isEmpty() || !Traps.inTask()) {
            return;
        }
        checkKernel();
        Traps.call(new Trap.SchedWake(queue, 1));
    }

    private void checkKernel() {
        Object k = Traps.call(GET_KERNEL);
        if (kernel == null) {
            kernel = k;
        } else if (k != kernel) {
            throw new IllegalStateException("this memory network is used by tasks of two kernels; it belongs to the"
                    + " tasks of one kernel");
        }
    }
}
