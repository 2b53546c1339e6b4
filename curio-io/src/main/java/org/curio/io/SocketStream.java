package org.curio.io;

/**
 * The buffered stream of a connected socket, from {@link Socket#asStream()}: a {@link ByteStream} that
 * also names its socket; closing it closes the socket. See {@link ByteStream} for reading, writing and
 * partial progress. Curio: {@code SocketStream}.
 *
 * {@snippet :
 * try (SocketStream stream = Network.openConnection("127.0.0.1", 25000).asStream()) {
 *     stream.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
 *     byte[] response = stream.readAll();
 * }
 * }
 *
 * <p><b>Thread safety.</b> Only tasks of one kernel may use a stream.
 */
public final class SocketStream extends ByteStream {
    private final Socket socket;

    SocketStream(Socket socket) {
        super(socket);
        this.socket = socket;
    }

    /** {@return the socket under this stream} */
    public Socket socket() {
        return socket;
    }
}
