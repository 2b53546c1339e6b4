package org.curio.io.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.channel.ChannelException;
import io.netty.channel.unix.Errors;
import org.jspecify.annotations.Nullable;

/**
 * Turns Netty's native failures into the JDK's exceptions, with lower-case messages that name the
 * operation and, where there is one, the address.
 */
public final class Errno {
    /*
     * Implementation notes. Netty reports errno as a negative number, in NativeIoException for data
     * calls and inside the message of a ConnectException for connect. Error numbers are Linux's
     * (this module needs Netty's native epoll, hence Linux).
     */
    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** Bad file descriptor. */
    public static final int EBADF = 9;
    /** Try again. */
    public static final int EAGAIN = 11;
    /** Out of memory. */
    public static final int ENOMEM = 12;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** Too many open files in the system. */
    public static final int ENFILE = 23;
    /** Too many open files in the process. */
    public static final int EMFILE = 24;
    /** Broken pipe. */
    public static final int EPIPE = 32;
    /** Protocol not available / address family not supported. */
    public static final int EAFNOSUPPORT = 97;
    /** Address already in use. */
    public static final int EADDRINUSE = 98;
    /** Cannot assign requested address. */
    public static final int EADDRNOTAVAIL = 99;
    /** Network is unreachable. */
    public static final int ENETUNREACH = 101;
    /** Software caused connection abort. */
    public static final int ECONNABORTED = 103;
    /** Machine is not on the network. */
    public static final int ENONET = 64;
    /** Protocol error. */
    public static final int EPROTO = 71;
    /** Protocol not available. */
    public static final int ENOPROTOOPT = 92;
    /** Operation not supported. */
    public static final int EOPNOTSUPP = 95;
    /** Network is down. */
    public static final int ENETDOWN = 100;
    /** Host is down. */
    public static final int EHOSTDOWN = 112;
    /** Connection reset by peer. */
    public static final int ECONNRESET = 104;
    /** No buffer space available. */
    public static final int ENOBUFS = 105;
    /** Transport endpoint is not connected. */
    public static final int ENOTCONN = 107;
    /** Connection timed out. */
    public static final int ETIMEDOUT = 110;
    /** Connection refused. */
    public static final int ECONNREFUSED = 111;
    /** No route to host. */
    public static final int EHOSTUNREACH = 113;

    private static final Pattern ERROR = Pattern.compile("error\\((-?\\d+)\\):\\s*(.*)");

    private Errno() {}

    /**
     * Translates a failure of {@code operation}.
     *
     * @param operation the system call, such as {@code "recv"}
     * @param e         Netty's exception
     * @param address   the address involved, or null
     * @return the exception to throw
     */
    public static IOException translate(String operation, Exception e, @Nullable SocketAddress address) {
        if (e instanceof ChannelException && e.getCause() instanceof Exception cause) {
            return translate(operation, cause, address);
        }
        if (e instanceof ClosedChannelException) {
            return new SocketException("socket closed");
        }
        if (e instanceof NotYetConnectedException) {
            return new SocketException(operation + " failed: socket is not connected");
        }
        if (e instanceof Errors.NativeIoException n) {
            return fromErrno(operation, -n.expectedErr(), reason(n.getMessage(), -n.expectedErr()), address, e);
        }
        if (e instanceof FileNotFoundException) {
            return attach(new ConnectException(operation + " failed: no such socket file" + at(address)), e);
        }
        if (e instanceof NoRouteToHostException) {
            return attach(new NoRouteToHostException(operation + " failed: no route to host" + at(address)), e);
        }
        if (e instanceof PortUnreachableException) {
            return attach(new PortUnreachableException(operation + " failed: port unreachable" + at(address)), e);
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        Matcher m = ERROR.matcher(message);
        if (m.find()) {
            int errno = Math.abs(Integer.parseInt(m.group(1)));
            return fromErrno(operation, errno, lower(m.group(2)), address, e);
        }
        if (e instanceof IOException io) {
            return io;
        }
        return new IOException(operation + " failed: " + message, e);
    }

    /**
     * Builds the exception for a positive error number.
     *
     * @param operation the system call
     * @param errno     the positive error number
     * @param address   the address involved, or null
     * @return the exception to throw
     */
    public static IOException fromErrno(String operation, int errno,
                                        @Nullable SocketAddress address) {
        return fromErrno(operation, errno, describe(errno), address, null);
    }

    private static IOException fromErrno(String operation, int errno, String reason,
                                         @Nullable SocketAddress address,
                                         @Nullable Exception cause) {
        String where = at(address);
        IOException e = switch (errno) {
            case ECONNRESET -> new SocketException("connection reset by peer");
            case EPIPE -> new SocketException("broken pipe: the peer has closed the connection");
            case EBADF -> new SocketException("socket closed");
            case ENOTCONN -> new SocketException(operation + " failed: socket is not connected");
            case ECONNREFUSED -> operation.startsWith("connect")
                    ? new ConnectException("connection refused" + where)
                    : new PortUnreachableException(operation + " failed: connection refused" + where);
            case ETIMEDOUT -> new ConnectException("connection timed out" + where);
            case EHOSTUNREACH, ENETUNREACH -> new NoRouteToHostException(operation + " failed: " + reason + where);
            case EADDRINUSE, EADDRNOTAVAIL, EACCES -> operation.startsWith("bind")
                    ? new BindException(operation + " failed: " + reason + where)
                    : new SyscallException(operation + " failed: " + reason + where, errno, cause);
            default -> new SyscallException(operation + " failed: " + reason + where, errno, cause);
        };
        return attach(e, cause);
    }

    private static IOException attach(IOException e, @Nullable Exception cause) {
        if (cause != null && e.getCause() == null) {
            e.initCause(cause);
        }
        return e;
    }

    private static String at(@Nullable SocketAddress address) {
        return address == null ? "" : ": " + address;
    }

    private static String reason(@Nullable String nettyMessage, int errno) {
        if (nettyMessage != null) {
            Matcher m = ERROR.matcher(nettyMessage);
            if (m.find()) {
                return lower(m.group(2));
            }
        }
        return describe(errno);
    }

    private static String describe(int errno) {
        return switch (errno) {
            case EMFILE -> "too many open files";
            case ENFILE -> "too many open files in system";
            case ENOBUFS -> "no buffer space available";
            case ENOMEM -> "cannot allocate memory";
            case EINVAL -> "invalid argument";
            case EADDRINUSE -> "address already in use";
            case EADDRNOTAVAIL -> "cannot assign requested address";
            case EAFNOSUPPORT -> "address family not supported by protocol";
            case EACCES -> "permission denied";
            default -> "errno " + errno;
        };
    }

    private static String lower(String s) {
        String t = s.strip();
        return t.isEmpty() ? t : t.substring(0, 1).toLowerCase(Locale.ROOT) + t.substring(1);
    }

    /**
     * {@return whether {@code e} says the process or system ran out of descriptors or buffer memory}
     *
     * @param e a failure from this module
     */
    public static boolean isExhaustion(IOException e) {
        return e instanceof SyscallException s
                && (s.errno() == EMFILE || s.errno() == ENFILE || s.errno() == ENOBUFS || s.errno() == ENOMEM);
    }

    /**
     * {@return whether an {@code accept} failure concerns only the connection being accepted} Linux
     * reports a pending network error of the new connection as a failure of {@code accept} itself; the
     * right response is to accept again (accept(2), "Error handling").
     *
     * @param e a failure of {@code accept}
     */
    public static boolean isTransientAccept(IOException e) {
        if (!(e instanceof SyscallException s)) {
            return e instanceof java.net.NoRouteToHostException || e instanceof PortUnreachableException;
        }
        return switch (s.errno()) {
            case ECONNABORTED, EINTR, EPERM, EPROTO, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET, EOPNOTSUPP,
                 ENETUNREACH, EHOSTUNREACH -> true;
            default -> false;
        };
    }
}
