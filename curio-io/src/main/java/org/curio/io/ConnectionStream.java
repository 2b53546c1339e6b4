package org.curio.io;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.curio.io.internal.Transport;
import org.curio.traps.CancelledException;

/** A buffered stream over any {@link Connection}, from {@link ByteStream#of(Connection)}. */
final class ConnectionStream extends ByteStream {
    private final Connection connection;

    ConnectionStream(Connection connection) {
        super(new Over(connection));
        this.connection = connection;
    }

    @Override
    public String toString() {
        return "ByteStream[" + connection + ", buffered=" + buffered() + "]";
    }

    /** The connection seen as a transport. */
    private record Over(Connection connection) implements Transport {
        @Override
        public void ensureOpen() throws IOException {
            if (!connection.isOpen()) {
                throw new IOException("connection closed: " + connection);
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException, CancelledException {
            return connection.recvInto(dst);
        }

        @Override
        public byte[] readBytes(int max) throws IOException, CancelledException {
            return connection.recv(max);
        }

        @Override
        public void writeAll(ByteBuffer src) throws IOException, CancelledException {
            connection.sendAll(src);
        }

        @Override
        public void close() {
            connection.close();
        }

        @Override
        public boolean isOpen() {
            return connection.isOpen();
        }
    }
}
