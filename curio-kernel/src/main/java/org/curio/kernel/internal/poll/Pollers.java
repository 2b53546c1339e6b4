package org.curio.kernel.internal.poll;

import io.netty.channel.epoll.Epoll;

/** Chooses the poller for this platform. */
public final class Pollers {
    private Pollers() {}

    /**
     * Creates the poller for one kernel.
     *
     * @param offloadBlocking whether blocking waits must leave the calling thread (a virtual thread,
     *                        whose carrier a native wait would pin)
     * @return Netty's native epoll if it loads here, otherwise a poller without I/O
     */
    public static Poller create(boolean offloadBlocking) {
        Poller poller;
        if (Epoll.isAvailable()) {
            poller = new EpollPoller();
        } else {
            warnOnce();
            poller = new ParkingPoller();
        }
        return offloadBlocking ? new OffloadingPoller(poller) : poller;
    }

    private static volatile boolean warned;

    private static void warnOnce() {
        if (warned) {
            return;
        }
        warned = true;
        System.getLogger("org.curio.kernel").log(System.Logger.Level.WARNING,
                "native epoll is not available, so tasks cannot wait for I/O (timers and hand-offs still work); "
                + "on the module path, resolve it with --add-modules io.netty.transport.epoll.linux.x86_64 or "
                + "'requires io.netty.transport.epoll.linux.x86_64' in the application module",
                Epoll.unavailabilityCause());
    }
}
