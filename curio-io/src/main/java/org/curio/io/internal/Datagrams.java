package org.curio.io.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.netty.channel.unix.DatagramSocketAddress;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import org.jspecify.annotations.Nullable;

/** Datagram system calls and the address conversions between the JDK's types and Netty's. */
public final class Datagrams {
    private Datagrams() {}

    /**
     * Receives one datagram without waiting, putting as much as fits into {@code dst}.
     *
     * @param socket the socket
     * @param unix   whether it is a Unix-domain socket
     * @param dst    where to put the bytes; its position advances
     * @return the sender, or null if the call would block
     * @throws IOException if the call fails (untranslated: for {@link NativeFd#retry})
     */
    public static @Nullable SocketAddress tryRecvFrom(Socket socket, boolean unix, ByteBuffer dst) throws IOException {
        ByteBuffer scratch = DirectBuffers.acquire();
        try {
            int limit = Math.min(dst.remaining(), scratch.capacity());
            SocketAddress sender;
            int n;
            if (unix) {
                DomainDatagramSocketAddress a = socket.recvFromDomainSocket(scratch, 0, limit);
                if (a == null) {
                    return null;
                }
                n = a.receivedAmount();
                sender = UnixDomainSocketAddress.of(a.path());
            } else {
                DatagramSocketAddress a = socket.recvFrom(scratch, 0, limit);
                if (a == null) {
                    return null;
                }
                n = a.receivedAmount();
                sender = plain(a);
            }
            dst.put(scratch.limit(Math.min(n, limit)));
            return sender;
        } finally {
            DirectBuffers.release(scratch);
        }
    }

    /**
     * Sends the remaining bytes of {@code src} as one datagram without waiting.
     *
     * @param socket  the socket
     * @param src     the bytes, at most {@link DirectBuffers#SIZE}; its position advances
     * @param address a resolved {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}
     * @return the count sent, or 0 if the call would block
     * @throws IOException if the call fails (untranslated: for {@link NativeFd#retry})
     */
    public static int trySendTo(Socket socket, ByteBuffer src, SocketAddress address) throws IOException {
        ByteBuffer scratch = DirectBuffers.acquire();
        try {
            int len = src.remaining();
            scratch.put(0, src, src.position(), len);
            int n;
            if (address instanceof UnixDomainSocketAddress u) {
                n = socket.sendToDomainSocket(scratch, 0, len, u.getPath().toString().getBytes(StandardCharsets.UTF_8));
            } else {
                InetSocketAddress inet = (InetSocketAddress) address;
                n = socket.sendTo(scratch, 0, len, inet.getAddress(), inet.getPort());
            }
            if (n > 0) {
                src.position(src.position() + n);
            }
            return n;
        } finally {
            DirectBuffers.release(scratch);
        }
    }

    /**
     * {@return the address Netty's calls take}: a {@link DomainSocketAddress} for a Unix-domain one
     *
     * @param address a JDK address
     */
    public static SocketAddress toNetty(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress u) {
            return new DomainSocketAddress(u.getPath().toString());
        }
        return address;
    }

    /**
     * {@return a plain JDK copy of an address Netty made}, so that no Netty subclass reaches users
     *
     * @param a the address
     */
    public static InetSocketAddress plain(InetSocketAddress a) {
        return new InetSocketAddress(a.getAddress(), a.getPort());
    }
}
