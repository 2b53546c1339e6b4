package org.curio.workers;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.curio.sync.UniversalEvent;
import org.curio.traps.CancelledException;
import org.curio.workers.internal.SignalBridge;

/**
 * Receives Unix signals, in the order they arrive, from a task or a plain thread. While open, the
 * queue's handler replaces the signals' previous handlers; {@link #close()} puts them back and hands
 * each signal that arrived but was never taken to the previous handler. Curio (before 1.0):
 * {@code SignalQueue}.
 *
 * {@snippet :
 * try (SignalQueue signals = SignalQueue.open(Signal.HUP, Signal.TERM)) {
 *     while (signals.get() == Signal.HUP) {
 *         reloadConfiguration();
 *     }
 * }                                            // TERM: leave, previous handlers back
 * }
 *
 * <p><b>Bursts.</b> At most one entry per kind of signal is pending: a signal that arrives while one
 * of its kind waits to be taken merges into it (as the operating system merges pending signals), so a
 * burst of one kind cannot push another kind back.
 *
 * <p><b>Refused signals.</b> QUIT, ILL, FPE, SEGV, KILL and STOP (and any other the JVM refuses, for
 * example under {@code -Xrs}) make {@link #open} throw {@link IllegalArgumentException}. Replacing a
 * native handler (the VM's or a native library's) logs a warning.
 *
 * <p><b>Cancellation and interrupts.</b> {@link #get()} is a cancellation point in a task, and leaves
 * the queue as it was. On a plain thread it waits as {@link UniversalEvent#await()} does.
 *
 * <p><b>Thread safety.</b> Universal: tasks of any kernel and plain threads may use a queue at once.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/0.9/curio/signal.py">curio's SignalQueue</a>
 */
public final class SignalQueue implements AutoCloseable {
    private final List<Signal> signals;
    private final Object lock = new Object();
    private final Set<Signal> pending = new LinkedHashSet<>();   // arrival order; guarded by lock
    private final UniversalEvent nonEmpty = new UniversalEvent(); // set exactly while pending is not empty
    private final Consumer<Signal> listener = this::arrived;
    private boolean closed;                                        // guarded by lock

    private SignalQueue(List<Signal> signals) {
        this.signals = signals;
    }

    /**
     * Opens a queue for {@code signals}, replacing their handlers until it is closed. Never suspends.
     *
     * @param signals the signals to receive; at least one
     * @return the queue
     * @throws IllegalArgumentException if no signal is given, or the JVM refuses one (the message names it)
     */
    public static SignalQueue open(Signal... signals) {
        List<Signal> list = List.copyOf(new LinkedHashSet<>(List.of(signals)));
        if (list.isEmpty()) {
            throw new IllegalArgumentException("no signal given: name at least one, for example Signal.HUP");
        }
        SignalQueue q = new SignalQueue(list);
        List<Signal> done = new ArrayList<>();
        try {
            for (Signal s : list) {
                SignalBridge.listen(s, q.listener);
                done.add(s);
            }
        } catch (IllegalArgumentException e) {
            done.forEach(s -> SignalBridge.leave(s, q.listener));
            throw e;
        }
        return q;
    }

    private void arrived(Signal signal) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            pending.add(signal);
            nonEmpty.set();
        }
    }

    /**
     * Waits until a signal is pending and takes the oldest. In a task, suspends the calling task.
     *
     * @return the signal
     * @throws IllegalStateException if the queue is closed
     * @throws CancelledException    if the task is cancelled or times out while waiting
     */
    public Signal get() throws CancelledException {
        while (true) {
            Optional<Signal> s = poll();
            if (s.isPresent()) {
                return s.get();
            }
            nonEmpty.await();
        }
    }

    /**
     * Takes the oldest pending signal, if any. Never suspends.
     *
     * @return the signal, or empty if none is pending
     * @throws IllegalStateException if the queue is closed
     */
    public Optional<Signal> poll() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("signal queue for " + signals + " is closed");
            }
            Iterator<Signal> it = pending.iterator();
            if (!it.hasNext()) {
                return Optional.empty();
            }
            Signal s = it.next();
            it.remove();
            if (pending.isEmpty()) {
                nonEmpty.clear();
            }
            return Optional.of(s);
        }
    }

    /** {@return the signals this queue receives} */
    public List<Signal> signals() {
        return signals;
    }

    /**
     * Puts the previous handlers back, then hands each signal still pending to its previous handler
     * (when no other queue or event on it remains open). Never suspends; does nothing if closed already.
     */
    @Override
    public void close() {
        List<Signal> left;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            left = new ArrayList<>(pending);
            pending.clear();
        }
        List<Signal> restored = new ArrayList<>();
        for (Signal s : signals) {
            if (SignalBridge.leave(s, listener)) {
                restored.add(s);
            }
        }
        for (Signal s : left) {
            if (restored.contains(s)) {
                SignalBridge.redeliver(s);
            }
        }
        nonEmpty.set();                                  // a waiter wakes and finds the queue closed
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "SignalQueue[" + signals + ", " + (closed ? "closed" : "pending=" + pending) + "]";
        }
    }
}
