package org.curio.kernel.internal.jfr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

import org.curio.kernel.internal.FlightRecording;
import org.curio.kernel.internal.KernelLoop;

/**
 * Installs {@link KernelEvents} on every kernel while some JFR recording runs, and removes them when the
 * last one stops, so that a kernel with no recording running pays one null check per hook. Listens to
 * the recorder with {@link FlightRecorder#addListener}, which neither starts nor initializes it; the
 * event classes are loaded when the first recording starts.
 *
 * <p>Discussion: any running recording installs the events, not only one with curio's enabled, because
 * a recording's settings can change while it runs without telling listeners; each event then asks
 * {@code isEnabled()}, which JFR answers from a field. The only kernel state written from here is the
 * volatile field that holds the events.
 */
public final class Recordings {
    private static final AtomicBoolean LISTENING = new AtomicBoolean();
    private static final AtomicBoolean PERIODIC = new AtomicBoolean();
    private static final Object LOCK = new Object();
    private static final Map<KernelLoop, KernelEvents> INSTALLED = new WeakHashMap<>();   // guarded by LOCK
    private static boolean recording;                                              // guarded by LOCK

    private Recordings() {}

    /**
     * A kernel was built: listens to the recorder on first use, and installs the events at once if a
     * recording runs.
     *
     * @param loop the kernel
     * @param id   its number, for the events' kernel name
     */
    public static void registered(KernelLoop loop, long id) {
        if (LISTENING.compareAndSet(false, true)) {
            FlightRecorder.addListener(new Listener());
            update();
        }
        synchronized (LOCK) {
            if (recording && !INSTALLED.containsKey(loop)) {
                KernelEvents events = new KernelEvents(name(loop, id));
                INSTALLED.put(loop, events);
                loop.events(events);
            }
        }
    }

    private static String name(KernelLoop loop, long id) {
        return "Kernel-" + id;         // short: JFR pools longer strings, which some streams fail to resolve
    }

    private static boolean anyRunning() {
        if (!FlightRecorder.isInitialized()) {
            return false;                                 // asking would start the recorder
        }
        for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
            if (r.getState() == RecordingState.RUNNING) {
                return true;
            }
        }
        return false;
    }

    /**
     * Registers the statistics event and loads the task events, once, when the first recording starts:
     * on this thread rather than on a task's stack (see ClassInit for why that matters).
     */
    private static void startPeriodic() {
        if (PERIODIC.compareAndSet(false, true)) {
            FlightRecorder.addPeriodicEvent(KernelStatisticsEvent.class, Recordings::emitStatistics);
            for (Class<?> c : List.of(KernelEvents.class, TaskSpawnEvent.class, TaskEndEvent.class, TaskCrashEvent.class,
                    TaskCancelEvent.class, TimeoutEvent.class, LongRunEvent.class)) {
                try {
                    Class.forName(c.getName(), true, c.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("cannot load " + c.getName(), e);
                }
            }
        }
    }

    /** Installs or removes the events on every registered kernel to match whether a recording runs. */
    private static void update() {
        boolean now;
        do {                                              // again if a recording started or stopped meanwhile
            now = anyRunning();
            apply(now);
        } while (anyRunning() != now);
    }

    private static void apply(boolean now) {
        if (now) {
            startPeriodic();
        }
        synchronized (LOCK) {
            recording = now;
            for (Map.Entry<KernelLoop, Long> k : FlightRecording.kernels()) {
                KernelLoop loop = k.getKey();
                if (now && !INSTALLED.containsKey(loop)) {
                    KernelEvents events = new KernelEvents(name(loop, k.getValue()));
                    INSTALLED.put(loop, events);
                    loop.events(events);
                } else if (!now && INSTALLED.remove(loop) != null) {
                    loop.events(null);
                }
            }
        }
    }

    private static void emitStatistics() {
        List<Map.Entry<KernelLoop, KernelEvents>> kernels;
        synchronized (LOCK) {
            kernels = new ArrayList<>(INSTALLED.entrySet());
        }
        for (Map.Entry<KernelLoop, KernelEvents> k : kernels) {
            KernelLoop loop = k.getKey();
            KernelStatisticsEvent e = new KernelStatisticsEvent();
            e.kernel = k.getValue().kernel();
            e.backend = loop.backendName();
            e.ready = loop.readyEstimate();
            e.tasks = loop.liveTasks();
            e.timers = loop.armedTimers();
            e.registrations = loop.registrations();
            e.futureWaiters = loop.futureWaiters();
            e.handoffs = loop.pendingHandoffs();
            e.cycles = k.getValue().cycles;
            e.commit();
        }
    }

    /** Follows recordings starting and stopping. */
    private static final class Listener implements FlightRecorderListener {
        @Override
        public void recordingStateChanged(Recording r) {
            update();
        }
    }
}
