package org.curio.io.testing;


import java.util.Objects;

/**
 * The wire between the two ends of one {@link MemoryNetwork} connection, with controls that inject
 * faults: reset the connection, stall delivery and resume it, end one direction's stream. Tests get
 * a link from {@link MemoryConnection#link()}, or for every new connection from
 * {@link MemoryNetwork#onConnect}.
 *
 * {@snippet :
 * network.onConnect(link -> link.stall());           // every connection starts stalled
 * MemoryConnection client = network.connect("kv");
 * client.sendAll(request);                           // fits in the buffer; nothing is delivered
 * client.link().resume();                            // now the server reads the request
 * }
 *
 * <p>The {@linkplain #left() left} end of a link is the connecting end (or a pair's left end), the
 * {@linkplain #right() right} end the accepted one. Counters are per direction, named by the end the
 * bytes travel towards.
 *
 * <p><b>Thread safety.</b> Only tasks of the network's kernel may use a link. Methods that wake
 * waiting tasks do so only when called from a task; called elsewhere (for example after the kernel
 * has stopped running) they change the state alone.
 */
public final class Link {
    private final MemoryNetwork network;
    private final Flow toRight;
    private final Flow toLeft;
    private final MemoryConnection left;
    private final MemoryConnection right;
    private boolean stalled;
    private boolean reset;

    Link(MemoryNetwork network, String name, int number, MemoryNetwork.Options options) {
        this.network = network;
        this.toRight = new Flow(this, options, false);
        this.toLeft = new Flow(this, options, true);
        MemoryAddress connecting = MemoryAddress.of(name, number);
        MemoryAddress accepting = MemoryAddress.of(name);
        this.left = new MemoryConnection(network, this, toLeft, toRight, connecting, accepting);
        this.right = new MemoryConnection(network, this, toRight, toLeft, accepting, connecting);
    }

    /** {@return the connecting end (a pair's left end)} */
    public MemoryConnection left() {
        return left;
    }

    /** {@return the accepted end (a pair's right end)} */
    public MemoryConnection right() {
        return right;
    }

    /**
     * Resets the connection, as a TCP reset does: the bytes in flight in both directions are dropped,
     * and every operation of either end that is waiting or comes later (except {@code close}) fails
     * with a {@link java.net.SocketException} "connection reset". Never suspends; does nothing if reset
     * already.
     */
    public void reset() {
        if (reset) {
            return;
        }
        reset = true;
        toRight.drop();
        toLeft.drop();
        wakeAll();
    }

    /** {@return whether the connection has been reset} */
    public boolean isReset() {
        return reset;
    }

    /**
     * Stops delivery in both directions: the bytes in flight stay there, receivers wait (also for an end
     * of stream), and senders go on until the buffers are full. Delays keep running: bytes whose delay
     * ends during the stall are readable as soon as it ends. A reset, or closing an end, still acts at
     * once. Never suspends.
     */
    public void stall() {
        stalled = true;
    }

    /** Resumes delivery after {@link #stall()}, waking the receivers. Never suspends. */
    public void resume() {
        if (stalled) {
            stalled = false;
            network.wake(toRight.readers);
            network.wake(toLeft.readers);
        }
    }

    /** {@return whether delivery is stalled} */
    public boolean isStalled() {
        return stalled;
    }

    /**
     * Ends the stream towards {@code towards}, as if the other end had shut down its output: that end
     * reads the bytes in flight, then end of stream; the other end's later sends fail. Never suspends;
     * does nothing if that direction has ended already.
     *
     * @param towards one of the link's ends
     * @throws IllegalArgumentException if {@code towards} is not an end of this link
     */
    public void endOfStream(MemoryConnection towards) {
        Flow flow = towards(towards);
        flow.shut(network.now(flow));
        network.wake(flow.readers);
        network.wake(flow.writers);
    }

    /**
     * {@return how many bytes were sent towards {@code towards}, in all}
     *
     * @param towards one of the link's ends
     * @throws IllegalArgumentException if {@code towards} is not an end of this link
     */
    public long bytesSent(MemoryConnection towards) {
        return towards(towards).sent();
    }

    /**
     * {@return how many bytes {@code towards} has received, in all}
     *
     * @param towards one of the link's ends
     * @throws IllegalArgumentException if {@code towards} is not an end of this link
     */
    public long bytesDelivered(MemoryConnection towards) {
        return towards(towards).delivered();
    }

    /**
     * {@return how many bytes are in flight towards {@code towards}: sent, not yet received and not
     * dropped}
     *
     * @param towards one of the link's ends
     * @throws IllegalArgumentException if {@code towards} is not an end of this link
     */
    public long bytesInFlight(MemoryConnection towards) {
        return towards(towards).inFlight();
    }

    private Flow towards(MemoryConnection end) {
        Objects.requireNonNull(end, "towards");
        if (end == left) {
            return toLeft;
        }
        if (end == right) {
            return toRight;
        }
        throw new IllegalArgumentException("not an end of " + this + ": " + end);
    }

    /**
     * Wakes every task waiting on either end, so that it looks at the connection again: the left end's
     * receiver and sender, then the right end's.
     */
    void wakeAll() {
        network.wake(toLeft.readers);
        network.wake(toRight.writers);
        network.wake(toRight.readers);
        network.wake(toLeft.writers);
    }

    /** {@return the ends, the counters of each direction, and the state} */
    @Override
    public String toString() {
        String state = reset ? "reset" : stalled ? "stalled" : !left.isOpen() && !right.isOpen() ? "closed" : "up";
        return "Link[" + left.address() + " <-> " + right.address() + ", to right: "
                + toRight + ", to left: " + toLeft + ", " + state + "]";
    }
}
