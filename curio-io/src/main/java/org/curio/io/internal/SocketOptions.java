package org.curio.io.internal;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;

import io.netty.channel.unix.Socket;

/** Maps the JDK's standard socket options onto Netty's native setters and getters. */
public final class SocketOptions {
    private SocketOptions() {}

    /**
     * Sets {@code option} on {@code socket}.
     *
     * @param socket the socket
     * @param option the option
     * @param value  the value
     * @param <T>    the value type
     * @throws IOException                   if the system refuses
     * @throws UnsupportedOperationException if the option is not supported
     */
    public static <T> void set(Socket socket, SocketOption<T> option, T value) throws IOException {
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            socket.setReuseAddress((Boolean) value);
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            socket.setReusePort((Boolean) value);
        } else if (option == StandardSocketOptions.TCP_NODELAY) {
            socket.setTcpNoDelay((Boolean) value);
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            socket.setKeepAlive((Boolean) value);
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            socket.setReceiveBufferSize(positive(option, (Integer) value));
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            socket.setSendBufferSize(positive(option, (Integer) value));
        } else if (option == StandardSocketOptions.SO_LINGER) {
            socket.setSoLinger((Integer) value);
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            socket.setBroadcast((Boolean) value);
        } else if (option == StandardSocketOptions.IP_TOS) {
            socket.setTrafficClass((Integer) value);
        } else {
            throw new UnsupportedOperationException("socket option not supported: " + option.name());
        }
    }

    /**
     * Reads {@code option} of {@code socket}.
     *
     * @param socket the socket
     * @param option the option
     * @param <T>    the value type
     * @return the value
     * @throws IOException                   if the system refuses
     * @throws UnsupportedOperationException if the option is not supported
     */
    public static <T> T get(Socket socket, SocketOption<T> option) throws IOException {
        Object value;
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            value = socket.isReuseAddress();
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            value = socket.isReusePort();
        } else if (option == StandardSocketOptions.TCP_NODELAY) {
            value = socket.isTcpNoDelay();
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            value = socket.isKeepAlive();
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            value = socket.getReceiveBufferSize();
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            value = socket.getSendBufferSize();
        } else if (option == StandardSocketOptions.SO_LINGER) {
            value = socket.getSoLinger();
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            value = socket.isBroadcast();
        } else if (option == StandardSocketOptions.IP_TOS) {
            value = socket.getTrafficClass();
        } else {
            throw new UnsupportedOperationException("socket option not supported: " + option.name());
        }
        return option.type().cast(value);
    }

    private static int positive(SocketOption<?> option, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option.name() + " must be positive: " + value);
        }
        return value;
    }
}
