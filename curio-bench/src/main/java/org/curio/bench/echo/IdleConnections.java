package org.curio.bench.echo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The footprint of idle connections ({@code EchoHarness --idle N}): for each server in turn, opens
 * {@code N} connections that each echo one byte (a {@code '\n'}) and then stay open and silent, and reports what they
 * cost the server per connection: its live heap (JVM servers: {@code jcmd GC.class_histogram}, which
 * collects first, before and after, the difference divided by {@code N}) with the classes that grew
 * most, and its resident memory ({@code VmRSS}, every server, the same difference).
 *
 * <p>Before the "before" figure, 200 connections echo a byte and close, so that the classes and code of
 * the connection path are loaded and do not count against the idle connections. Each server's own
 * per-connection buffer counts: curio's echo loop holds a 16 KiB direct buffer (outside the heap, in
 * the resident memory), the virtual-thread server a 16 KiB {@code byte[]} (in the heap), Netty's
 * handler none between reads.
 */
final class IdleConnections {
    private static final int WARM_UP = 200;
    private static final int BATCH = 250;

    private IdleConnections() {}

    /** What one server's idle connections cost. */
    private record Footprint(String server, int connections, long heapBefore, long heapAfter, long rssBeforeKiB,
                             long rssAfterKiB, List<Map.Entry<String, Long>> grown) {
        double heapPerConnection() {
            return heapBefore < 0 ? Double.NaN : (double) (heapAfter - heapBefore) / connections;
        }

        double rssPerConnection() {
            return (rssAfterKiB - rssBeforeKiB) * 1024.0 / connections;
        }
    }

    /**
     * Measures every server.
     *
     * @param servers     the servers
     * @param jvmArgs     options of the JVM servers
     * @param externals   the servers outside the JVM
     * @param connections how many idle connections
     * @throws Exception if a server fails
     */
    static void run(List<String> servers, List<String> jvmArgs, ServerProcess.Externals externals, int connections)
            throws Exception {
        System.out.printf(Locale.ROOT, "%,d idle connections per server (each echoed one byte)%n", connections);
        List<Footprint> results = new ArrayList<>();
        for (String server : servers) {
            Footprint f = measure(server, jvmArgs, externals, connections);
            results.add(f);
            System.out.printf(Locale.ROOT, "%-20s live heap %,.0f B/conn, RSS %,.0f B/conn (%.1f -> %.1f MiB)%n", server,
                    f.heapPerConnection(), f.rssPerConnection(), f.rssBeforeKiB / 1024.0, f.rssAfterKiB / 1024.0);
            for (Map.Entry<String, Long> e : f.grown) {
                System.out.printf(Locale.ROOT, "    %,10.0f B/conn  %s%n", (double) e.getValue() / connections, e.getKey());
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "| server | live heap per idle conn (B) | RSS per idle conn (B) | RSS with %,d idle (MiB) | largest growth, B/conn |%n",
                connections);
        System.out.println("|---|---:|---:|---:|---|");
        for (Footprint f : results) {
            StringBuilder grown = new StringBuilder();
            for (Map.Entry<String, Long> e : f.grown.subList(0, Math.min(3, f.grown.size()))) {
                grown.append(grown.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "`%s` %,.0f",
                        e.getKey(), (double) e.getValue() / connections));
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %,.0f | %.0f | %s |%n", ServerProcess.label(f.server),
                    f.heapBefore < 0 ? "—" : String.format(Locale.ROOT, "%,.0f", f.heapPerConnection()),
                    f.rssPerConnection(), f.rssAfterKiB / 1024.0, grown.isEmpty() ? "—" : grown);
        }
    }

    private static Footprint measure(String server, List<String> jvmArgs, ServerProcess.Externals externals,
                                     int connections) throws Exception {
        try (ServerProcess p = ServerProcess.start(server, jvmArgs, externals)) {
            closeAll(open(p.address, WARM_UP));
            Thread.sleep(1000);                              // let the server see them close and end their tasks
            ServerProcess.@Nullable Histogram before = p.jvm ? p.liveHeap() : null;
            long rssBefore = p.memory().rssKiB();
            List<SocketChannel> idle = open(p.address, connections);
            try {
                Thread.sleep(500);
                ServerProcess.@Nullable Histogram after = p.jvm ? p.liveHeap() : null;
                long rssAfter = p.memory().rssKiB();
                return new Footprint(server, connections, before == null ? -1 : before.totalBytes(),
                        after == null ? -1 : after.totalBytes(), rssBefore, rssAfter,
                        after == null || before == null ? List.of() : after.grownSince(before, 6));
            } finally {
                closeAll(idle);
            }
        }
    }

    /** Opens connections in batches; each sends one byte and waits for its echo. */
    private static List<SocketChannel> open(InetSocketAddress address, int count) throws IOException {
        List<SocketChannel> all = new ArrayList<>(count);
        ByteBuffer one = ByteBuffer.allocate(1);
        try {
            while (all.size() < count) {
                int from = all.size();
                int to = Math.min(count, from + BATCH);
                for (int i = from; i < to; i++) {
                    SocketChannel ch = SocketChannel.open(address);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    all.add(ch);
                    ch.write(one.clear().put((byte) '\n').flip());   // a line, for a line-reading server too
                }
                for (int i = from; i < to; i++) {
                    if (all.get(i).read(one.clear()) != 1) {
                        throw new IOException("connection " + i + " was not echoed");
                    }
                }
            }
            return all;
        } catch (IOException | RuntimeException e) {
            closeAll(all);
            throw e;
        }
    }

    private static void closeAll(List<SocketChannel> channels) {
        for (SocketChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a loopback socket does not fail in a way that matters here
            }
        }
    }
}
