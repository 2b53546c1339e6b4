package org.curio.kernel.internal;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import org.curio.kernel.internal.poll.Poller;
import org.curio.traps.CurioException;
import org.curio.traps.Pollable;
import org.curio.traps.Readiness;
import org.curio.traps.ReadResourceBusyException;
import org.curio.traps.WriteResourceBusyException;
import org.jspecify.annotations.Nullable;

/**
 * Tasks waiting for readiness: one registration per file descriptor, with a read-waiter and a
 * write-waiter slot (curio's ReadResourceBusy / WriteResourceBusy rule).
 */
final class IoWaits {
    /*
     * Implementation notes. Descriptors are registered edge-triggered for both directions on their
     * first wait and stay registered until IoRelease, so no epoll_ctl happens per wait. An edge that
     * arrives while nobody waits in that direction is remembered in readEvents/writeEvents (the
     * union of the events of every such edge) and consumed by the next wait, which then returns
     * without suspending and answers those events: a remembered edge costs the I/O code at most one
     * extra attempt and an edge is never lost. A wait answers the Readiness of the edge that ended it
     * (one cached instance per combination, so nothing is allocated), and I/O code may skip a read
     * that would block only because a hang-up or an error always comes with the edge that reports it.
     * A registration whose Pollable is not the one asking (the fd
     * number was closed and reused without IoRelease) is dropped and replaced, so a new socket never
     * sees a stale readiness.
     */
    final KernelLoop scheduler;                       // read by FdOwners
    private final Poller poller;
    private final Map<Integer, Registration> registrations = new HashMap<>();
    private int waiters;

    IoWaits(KernelLoop scheduler, Poller poller) {
        this.scheduler = scheduler;
        this.poller = poller;
    }

    int registrations() {
        return registrations.size();
    }

    int waiters() {
        return waiters;
    }

    boolean waitRead(KernelTask<?> task, Pollable source) {
        Registration r = registration(source);
        if (r.reader != null) {
            throw new ReadResourceBusyException("another task (" + r.reader.name()
                    + ") is already waiting to read fd " + r.fd);
        }
        if (r.readEvents != 0) {
            task.resumeValue = Readiness.of(r.readEvents);
            r.readEvents = 0;
            return false;
        }
        r.reader = task;
        waiters++;
        return scheduler.park(task, r.cancelRead, "READ_WAIT");
    }

    boolean waitWrite(KernelTask<?> task, Pollable source) {
        Registration r = registration(source);
        if (r.writer != null) {
            throw new WriteResourceBusyException("another task (" + r.writer.name()
                    + ") is already waiting to write fd " + r.fd);
        }
        if (r.writeEvents != 0) {
            task.resumeValue = Readiness.of(r.writeEvents);
            r.writeEvents = 0;
            return false;
        }
        r.writer = task;
        waiters++;
        return scheduler.park(task, r.cancelWrite, "WRITE_WAIT");
    }

    void release(Pollable source) {
        Registration r = registrations.get(source.fd());
        if (r != null && r.source == source) {
            drop(r);
        } else {
            FdOwners.releaseElsewhere(source, this);   // closed by a task of another kernel
        }
    }

    /** Releases every registration (kernel close). */
    void releaseAll() {
        for (Registration r : registrations.values().toArray(new Registration[0])) {
            drop(r);
        }
    }

    private void drop(Registration r) {
        registrations.remove(r.fd);
        FdOwners.unclaim(r.source, this);
        r.wakeReader(Readiness.NONE);
        r.wakeWriter(Readiness.NONE);
        r.polled.cancel();
    }

    private Registration registration(Pollable source) {
        int fd = source.fd();
        if (fd < 0) {
            throw new IllegalArgumentException("cannot wait on a closed descriptor: fd " + fd);
        }
        Registration r = registrations.get(fd);
        if (r != null && r.source == source) {
            return r;
        }
        if (r != null) {
            drop(r);
        }
        FdOwners.claim(source, this);                  // throws if another kernel's registration holds it
        r = new Registration(source, fd);
        try {
            r.polled = poller.register(fd, r);
        } catch (IOException e) {
            throw new CurioException("cannot wait for readiness of fd " + fd + ": " + e.getMessage(), e);
        }
        registrations.put(fd, r);
        return r;
    }

    /** One registered descriptor. */
    private final class Registration implements Poller.Listener {
        final Pollable source;
        final int fd;
        Poller.Registration polled;
        @Nullable KernelTask<?> reader;
        @Nullable KernelTask<?> writer;
        int readEvents;                                // remembered edges nobody waited for; 0 if none
        int writeEvents;
        final Runnable cancelRead = () -> {
            reader = null;
            waiters--;
        };
        final Runnable cancelWrite = () -> {
            writer = null;
            waiters--;
        };

        Registration(Pollable source, int fd) {
            this.source = source;
            this.fd = fd;
        }

        @Override
        public void ready(int events) {
            if ((events & Readiness.READABLE) != 0 && !wakeReader(Readiness.of(events))) {
                readEvents |= events;
            }
            if ((events & Readiness.WRITABLE) != 0 && !wakeWriter(Readiness.of(events))) {
                writeEvents |= events;
            }
        }

        boolean wakeReader(Readiness seen) {
            KernelTask<?> t = reader;
            if (t == null) {
                return false;
            }
            reader = null;
            waiters--;
            scheduler.wake(t, seen);
            return true;
        }

        boolean wakeWriter(Readiness seen) {
            KernelTask<?> t = writer;
            if (t == null) {
                return false;
            }
            writer = null;
            waiters--;
            scheduler.wake(t, seen);
            return true;
        }
    }
}
