package org.curio.kernel.internal.poll;

import io.netty.channel.epoll.Epoll;

/** Chooses the poller for this platform. */
public final class Pollers {
    private Pollers() {}

    /** {@return Netty's native epoll if it loads here, otherwise a poller without I/O} */
    public static Poller create() {
        return Epoll.isAvailable() ? new EpollPoller() : new ParkingPoller();
    }
}
