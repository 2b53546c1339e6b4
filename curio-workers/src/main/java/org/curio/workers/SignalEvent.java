package org.curio.workers;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;

import org.curio.sync.UniversalEvent;
import org.curio.traps.CancelledException;
import org.curio.workers.internal.SignalBridge;

/**
 * An event that is set when one of its signals arrives; tasks and threads {@linkplain #await() wait}
 * for it. While open, its handler replaces the signals' previous handlers; {@link #close()} puts them
 * back. Unlike {@link SignalQueue}, it keeps no count or order and hands nothing on at close. Curio
 * (before 1.0): {@code SignalEvent}.
 *
 * {@snippet :
 * try (SignalEvent stop = SignalEvent.open(Signal.INT, Signal.TERM)) {
 *     Task<?> server = Curio.spawn(() -> serve(port));
 *     stop.await();
 *     server.cancel();
 * }
 * }
 *
 * <p><b>Refused signals.</b> As for {@link SignalQueue#open}.
 *
 * <p><b>Thread safety.</b> Universal: tasks of any kernel and plain threads may use it at once.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/0.9/curio/signal.py">curio's SignalEvent</a>
 */
public final class SignalEvent implements AutoCloseable {
    private final List<Signal> signals;
    private final UniversalEvent event = new UniversalEvent();
    private final Consumer<Signal> listener = s -> event.set();
    private volatile boolean closed;

    private SignalEvent(List<Signal> signals) {
        this.signals = signals;
    }

    /**
     * Opens an event for {@code signals}, replacing their handlers until it is closed. Never suspends.
     *
     * @param signals the signals that set it; at least one
     * @return the event, not set
     * @throws IllegalArgumentException if no signal is given, or the JVM refuses one (the message names it)
     */
    public static SignalEvent open(Signal... signals) {
        List<Signal> list = List.copyOf(new LinkedHashSet<>(List.of(signals)));
        if (list.isEmpty()) {
            throw new IllegalArgumentException("no signal given: name at least one, for example Signal.TERM");
        }
        SignalEvent e = new SignalEvent(list);
        List<Signal> done = new ArrayList<>();
        try {
            for (Signal s : list) {
                SignalBridge.listen(s, e.listener);
                done.add(s);
            }
        } catch (IllegalArgumentException ex) {
            done.forEach(s -> SignalBridge.leave(s, e.listener));
            throw ex;
        }
        return e;
    }

    /**
     * Waits until one of the signals has arrived since the event was opened or last cleared; returns
     * at once if one has. In a task, suspends the calling task.
     *
     * @throws CancelledException if the task is cancelled or times out while waiting
     */
    public void await() throws CancelledException {
        event.await();
    }

    /** {@return whether a signal has arrived since the event was opened or last cleared} */
    public boolean isSet() {
        return event.isSet();
    }

    /** Forgets the signals that arrived so far. Never suspends. */
    public void clear() {
        event.clear();
    }

    /** Puts the previous handlers back. Never suspends; does nothing if closed already. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Signal s : signals) {
            SignalBridge.leave(s, listener);
        }
    }

    @Override
    public String toString() {
        return "SignalEvent[" + signals + ", " + (closed ? "closed" : isSet() ? "set" : "not set") + "]";
    }
}
