package org.curio.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * What a stream's read buffer asks its connection for, which is what an idle connection that reads
 * lines keeps: a short line is read with a 4 KiB receive, not a 64 KiB one.
 */
class StreamBufferSizeTest {
    /** A connection that answers receives from a script (cut to the room) and records the room offered. */
    private static final class Scripted implements Connection {
        final Deque<byte[]> pieces = new ArrayDeque<>();
        final List<Integer> offered = new ArrayList<>();
        private final ByteStream stream = ByteStream.of(this);

        Scripted(String... parts) {
            for (String p : parts) {
                pieces.add(p.getBytes(StandardCharsets.US_ASCII));
            }
        }

        @Override
        public int recvInto(ByteBuffer dst) {
            offered.add(dst.remaining());
            byte[] piece = pieces.poll();
            if (piece == null) {
                return -1;
            }
            int n = Math.min(piece.length, dst.remaining());
            dst.put(piece, 0, n);
            if (n < piece.length) {
                pieces.addFirst(java.util.Arrays.copyOfRange(piece, n, piece.length));
            }
            return n;
        }

        @Override
        public int send(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public void shutdownOutput() {}

        @Override
        public SocketAddress localAddress() {
            return new InetSocketAddress(0);
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress(0);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}

        @Override
        public ByteStream asStream() {
            return stream;
        }
    }

    @Test
    void shortLinesAreReadWithFourKibReceives() throws Exception {
        Scripted connection = new Scripted("ping\n", "pong\n");
        ByteStream stream = connection.asStream();
        assertArrayEquals("ping\n".getBytes(StandardCharsets.US_ASCII), stream.readLine());
        assertArrayEquals("pong\n".getBytes(StandardCharsets.US_ASCII), stream.readLine());
        assertEquals(List.of(4096, 4096), connection.offered);
    }
}
