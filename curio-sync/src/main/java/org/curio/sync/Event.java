package org.curio.sync;

import org.curio.traps.CancelledException;
import org.curio.traps.WaitQueue;

/**
 * A flag that tasks can wait for. {@link #set()} wakes every waiting task, and later calls to
 * {@link #await()} return at once until {@link #clear()} is called.
 *
 * {@snippet :
 * var ready = new Event();
 * Curio.spawn(() -> { ready.await(); System.out.println("go"); });
 * Timeouts.sleep(Duration.ofSeconds(1));
 * ready.set();                                       // the waiter prints "go" at its next turn
 * }
 *
 * <p>Tasks woken by {@code set()} run in the order they started waiting; they resume even if
 * {@code clear()} is called before they run.
 *
 * <p><b>Cancellation.</b> {@code await} is a cancellation point when the event is not set. A
 * cancelled or timed-out waiter leaves the wait before its {@link CancelledException} is thrown, so the
 * event is as if it had never waited. A waiter woken by {@code set()} and cancelled before it runs
 * returns normally; the cancellation arrives at its next blocking call.
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use an {@code Event}: any other caller gets an
 * {@link IllegalStateException}. To signal a task from a plain thread or another kernel, use
 * {@link UniversalEvent}. {@link #isSet()}, {@link #statistics()} and {@link #toString()} may be read
 * from anywhere, but are exact only from the owning kernel's tasks.
 *
 * @see <a href="https://github.com/dabeaz/curio/blob/1.6/curio/sync.py">curio's Event</a>
 */
public final class Event {
    /*
     * Implementation notes. Tasks of the owning kernel run one at a time, so plain fields suffice.
     * Waiters park on a barrier through SchedWait; set() frees them all with one SchedWake.
     */
    private final TaskWaiters waiters = new TaskWaiters(WaitQueue.barrier(), "EVENT_WAIT", "Event");
    private boolean set;                                 // owning kernel's tasks only

    /** Creates an event that is not set. */
    public Event() {}

    /** {@return whether the event is set} Never suspends. */
    public boolean isSet() {
        return set;
    }

    /**
     * Suspends the calling task until the event is set; returns at once if it is.
     *
     * @throws CancelledException    if the task is cancelled or times out while waiting
     * @throws IllegalStateException if the caller is not a curio task
     */
    public void await() throws CancelledException {
        Checks.inTask("Event.await");
        if (!set) {
            waiters.park();
        }
    }

    /**
     * Sets the event and wakes every waiting task. Never suspends.
     *
     * @throws IllegalStateException if the caller is not a curio task
     */
    public void set() {
        Checks.inTask("Event.set");
        set = true;
        waiters.wakeAll();
    }

    /**
     * Clears the event, so that later waiters wait for the next {@link #set()}. Never suspends.
     *
     * @throws IllegalStateException if the caller is not a curio task
     */
    public void clear() {
        Checks.inTask("Event.clear");
        set = false;
    }

    /** {@return a snapshot of the event's state} Never suspends. */
    public Statistics statistics() {
        return new Statistics(set, waiters.size());
    }

    /**
     * A snapshot of an event's state.
     *
     * @param set     whether the event is set
     * @param waiting how many tasks wait for it
     */
    public record Statistics(boolean set, int waiting) {}

    @Override
    public String toString() {
        return "Event[" + (set ? "set" : "unset") + ", waiting=" + waiters.size() + "]";
    }
}
