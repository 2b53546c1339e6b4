package org.curio.io.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.ArrayDeque;

import org.curio.io.Listener;
import org.curio.traps.CancelledException;
import org.curio.traps.ReadResourceBusyException;
import org.curio.traps.Task;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.WaitQueue;
import org.jspecify.annotations.Nullable;

/** A {@link MemoryNetwork} listener: accepts connections made to its name. */
final class MemoryListener implements Listener<MemoryConnection> {
    /*
     * Implementation notes. The backlog holds the accepted ends of connections already made (their
     * clients have returned from connect and may be sending). When it is full, clients wait in arrival
     * order, each on a wait queue of its own; accept() hands the slot it frees straight to the oldest
     * (counted in "granted" until that client has run and queued its connection), so a newcomer cannot
     * barge in. The client then makes its connection itself, in its own task, so onConnect observers
     * always run in the connecting task.
     */
    private final MemoryNetwork network;
    private final String name;
    private final MemoryNetwork.Options options;
    private final MemoryAddress address;
    private final ArrayDeque<MemoryConnection> backlog = new ArrayDeque<>();
    private final ArrayDeque<Client> clients = new ArrayDeque<>();   // waiting for room, oldest first
    private int granted;                                  // slots handed to woken clients not yet run
    private final WaitQueue acceptors = WaitQueue.fifo();
    private final Trap.SchedWait acceptWait = new Trap.SchedWait(acceptors, "MEMORY_ACCEPT");
    private @Nullable Task<?> acceptor;                   // the task in an accept that has waited
    private boolean closed;

    /** A client waiting for room in the backlog. */
    private static final class Client {
        final WaitQueue queue = WaitQueue.fifo();
        boolean granted;
        boolean refused;
    }

    MemoryListener(MemoryNetwork network, String name, MemoryNetwork.Options options) {
        this.network = network;
        this.name = name;
        this.options = options;
        this.address = MemoryAddress.of(name);
    }

    /**
     * Suspends the calling task until a client has connected, and returns the accepted end.
     *
     * @throws SocketException           if the listener is closed, before or while waiting
     * @throws ReadResourceBusyException if another task is waiting to accept, and this one would have
     *                                   to wait
     */
    @Override
    public MemoryConnection accept() throws IOException, CancelledException {
        Traps.consumeBudget();
        boolean waited = false;
        try {
            while (true) {
                if (closed) {
                    throw new SocketException("listener closed: " + address);
                }
                MemoryConnection end = backlog.pollFirst();
                if (end != null) {
                    admitNext();
                    return end;
                }
                if (!waited) {
                    if (acceptor != null) {
                        throw new ReadResourceBusyException("another task (" + acceptor.name()
                                + ") is already waiting to accept on " + address);
                    }
                    acceptor = Traps.call(new Trap.GetCurrent());
                    waited = true;
                }
                network.park(acceptWait, Trap.NO_DEADLINE);
            }
        } finally {
            if (waited) {
                acceptor = null;
            }
        }
    }

    /** Hands a free backlog slot to the oldest waiting client, if any. */
    private void admitNext() {
        Client next = clients.pollFirst();
        if (next != null) {
            next.granted = true;
            granted++;
            network.wake(next.queue);
        }
    }

    /** Suspends the calling task until the backlog has room, then connects; returns the client's end. */
    MemoryConnection connect() throws ConnectException, CancelledException {
        Traps.consumeBudget();
        if (backlog.size() + granted >= options.backlog() || !clients.isEmpty()) {
            Client me = new Client();
            clients.addLast(me);
            try {
                network.park(new Trap.SchedWait(me.queue, "MEMORY_CONNECT"), Trap.NO_DEADLINE);
            } catch (CancelledException e) {
                if (me.granted) {                          // woken, then cancelled: pass the slot on
                    granted--;
                    admitNext();
                } else {
                    clients.remove(me);
                }
                throw e;
            }
            if (me.granted) {
                granted--;
            }
            if (me.refused || closed) {
                throw refused();
            }
        }
        Link link = network.newLink(name, options);
        backlog.addLast(link.right());
        network.wake(acceptors);
        return link.left();
    }

    private ConnectException refused() {
        return new ConnectException("connection refused: " + name);
    }

    /** {@return {@code memory:name}} */
    @Override
    public SocketAddress localAddress() throws IOException {
        if (closed) {
            throw new SocketException("listener closed: " + address);
        }
        return address;
    }

    /**
     * Stops listening and frees the name. Connections made but not accepted are reset and closed;
     * clients waiting for room fail with {@link ConnectException}; a task waiting to accept fails with
     * {@link SocketException}. Never suspends; does nothing if closed already.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        network.unbind(name, this);
        for (MemoryConnection end; (end = backlog.pollFirst()) != null; ) {
            end.link().reset();
            end.close();
        }
        for (Client c; (c = clients.pollFirst()) != null; ) {
            c.refused = true;
            network.wake(c.queue);
        }
        network.wake(acceptors);
    }

    @Override
    public String toString() {
        return "MemoryListener[" + address + ", backlog=" + backlog.size() + ", waiting=" + clients.size() + ", "
                + (closed ? "closed" : "listening") + "]";
    }
}
