package org.curio.bench.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A closed-loop request/response load client on one thread: each connection sends a request of
 * {@code size} bytes, waits for all of it to come back, checks it and sends the next. A request is one
 * line: its last byte is {@code '\n'} and no other is. The same client
 * drives every server, so the numbers compare like with like.
 */
final class LoadClient {
    /**
     * What one workload measured.
     *
     * @param requests       completed round trips during the measurement
     * @param seconds        the measurement's length
     * @param serverCpuNanos the server process's CPU time during the measurement
     */
    record Result(long requests, double seconds, long serverCpuNanos) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        double serverMicrosPerRequest() {
            return requests == 0 ? Double.NaN : serverCpuNanos / 1e3 / requests;
        }
    }

    /** One connection's state. */
    private static final class Conn {
        final SocketChannel channel;
        final ByteBuffer out;
        final ByteBuffer in;

        Conn(SocketChannel channel, int size, int id) {
            this.channel = channel;
            this.out = ByteBuffer.allocateDirect(size);
            this.in = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < size; i++) {
                byte b = (byte) (id * 31 + i);
                out.put(i, b == '\n' ? (byte) ' ' : b);
            }
            out.put(size - 1, (byte) '\n');               // one line, so a line-reading server echoes it too
        }
    }

    private LoadClient() {}

    /**
     * Runs a workload.
     *
     * @param address     the server
     * @param connections how many connections
     * @param size        the request (and response) size
     * @param warmup      how long to run before measuring
     * @param measure     how long to measure
     * @param serverCpu   reads the server's CPU time in nanoseconds
     * @param atEnd       runs when the measurement ends, with every connection still open (to sample
     *                    the server's memory under load)
     * @return the measurement
     * @throws IOException if a connection fails or an echo is wrong
     */
    static Result run(InetSocketAddress address, int connections, int size, Duration warmup, Duration measure,
                      LongSupplier serverCpu, Runnable atEnd) throws IOException {
        List<Conn> conns = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open(address);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                Conn c = new Conn(ch, size, i);
                conns.add(c);
                ch.register(selector, SelectionKey.OP_READ, c);
            }
            for (Conn c : conns) {
                send(c, selector);
            }
            long start = System.nanoTime();
            long measureStart = start + warmup.toNanos();
            long end = measureStart + measure.toNanos();
            long cpuStart = -1;
            long requests = 0;
            long now = start;
            while (now < end) {
                selector.select(100);
                now = System.nanoTime();
                if (cpuStart < 0 && now >= measureStart) {
                    cpuStart = serverCpu.getAsLong();
                    requests = 0;
                    measureStart = now;
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn c = (Conn) key.attachment();
                    if (key.isValid() && key.isWritable()) {
                        send(c, selector);
                    }
                    if (key.isValid() && key.isReadable() && receive(c)) {
                        requests++;
                        send(c, selector);
                    }
                }
                selector.selectedKeys().clear();
            }
            long cpu = serverCpu.getAsLong() - cpuStart;
            atEnd.run();
            return new Result(requests, (now - measureStart) / 1e9, cpu);
        } finally {
            for (Conn c : conns) {
                c.channel.close();
            }
        }
    }

    private static void send(Conn c, Selector selector) throws IOException {
        if (c.out.position() == 0 || c.out.hasRemaining()) {
            c.channel.write(c.out);
        }
        SelectionKey key = c.channel.keyFor(selector);
        if (c.out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        } else {
            key.interestOps(SelectionKey.OP_READ);
            c.out.clear();                                   // the next request goes out after the response
        }
    }

    /** Reads what is there; returns true when a whole response has arrived (and was checked). */
    private static boolean receive(Conn c) throws IOException {
        int n = c.channel.read(c.in);
        if (n < 0) {
            throw new IOException("the server closed a connection");
        }
        if (c.in.hasRemaining()) {
            return false;
        }
        c.in.flip();
        if (!c.in.equals(c.out.duplicate().clear())) {
            throw new IOException("wrong echo");
        }
        c.in.clear();
        return true;
    }
}
