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
        Poller poller = Epoll.isAvailable() ? new EpollPoller() : new ParkingPoller();
        return offloadBlocking ? new OffloadingPoller(poller) : poller;
    }
}
