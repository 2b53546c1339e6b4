package org.curio.io;

import java.net.SocketAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * A datagram received by {@link Socket#recvFrom(int)}: its bytes and who sent it.
 *
 * @param data   the bytes (the array is the caller's)
 * @param sender the sender's address: an {@link java.net.InetSocketAddress} or a
 *               {@link java.net.UnixDomainSocketAddress} (empty path for an unnamed sender)
 */
public record Datagram(byte[] data, SocketAddress sender) {
    /** Checks the components. */
    public Datagram {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(sender, "sender");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Datagram d && Arrays.equals(data, d.data) && sender.equals(d.sender);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(data) + sender.hashCode();
    }

    @Override
    public String toString() {
        return "Datagram[" + data.length + " bytes from " + sender + "]";
    }
}
