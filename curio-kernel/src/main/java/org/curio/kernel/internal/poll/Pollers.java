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
        Throwable cause = Epoll.unavailabilityCause();
        String os = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        String hint = os.equals("Linux/amd64")
                ? "put io.netty:netty-transport-native-epoll:" + Epoll.class.getPackage().getImplementationVersion()
                        + ":linux-x86_64 on the class path (curio-kernel depends on it; on the module path it"
                        + " is resolved by itself), and grant --enable-native-access"
                : "curio's I/O needs Linux on x86_64 (Netty's native epoll); this is " + os;
        System.Logger log = System.getLogger("org.curio.kernel");
        log.log(System.Logger.Level.WARNING, "native epoll is not available, so tasks cannot wait for I/O (timers"
                + " and hand-offs still work): " + cause.getMessage() + "; " + hint);
        log.log(System.Logger.Level.DEBUG, "why native epoll is not available", cause);
    }
}
