package org.curio.bench.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Locale;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import org.curio.io.ByteStream;
import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.CoroutineBackend;
import org.curio.kernel.Kernel;
import org.curio.traps.CancelledException;

/**
 * The echo servers the harness compares, one per JVM: {@code curio-virtual},
 * {@code curio-continuation}, {@code netty} (epoll, one event loop) and {@code vthreads} (a JDK
 * virtual thread per connection over blocking {@code java.net} sockets); and, only when named,
 * {@code curio-lines} (curio's line echo over a buffered stream). Each binds 127.0.0.1 on a
 * free port, prints {@code LISTENING <port>} and serves until killed. Every server sets
 * {@code TCP_NODELAY} on its connections and a backlog of 1024.
 */
public final class EchoServers {
    static final int BACKLOG = 1024;
    private static final int BUFFER = 16 * 1024;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private EchoServers() {}

    /**
     * Runs one server.
     *
     * @param args the server's name
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "";
        switch (kind) {
            case "curio-virtual" -> curio(CoroutineBackend.VIRTUAL);
            case "curio-continuation" -> curio(CoroutineBackend.CONTINUATION);
            case "netty" -> netty(BACKLOG);
            case "vthreads" -> virtualThreads();
            case "curio-lines" -> curioLines();
            default -> throw new IllegalArgumentException("unknown server: " + kind
                    + " (curio-virtual, curio-continuation, netty, vthreads, curio-lines)");
        }
    }

    static void listening(int port) {
        System.out.println("LISTENING " + port);
        System.out.flush();
    }

    // ------------------------------------------------------------------ curio

    private static void curio(CoroutineBackend backend) throws Exception {
        try (Kernel kernel = Kernel.builder().backend(backend).build()) {
            kernel.run(() -> {
                Socket listening = Network.tcpServerSocket(new InetSocketAddress(LOOPBACK, 0),
                        Network.ServerOptions.defaults().withBacklog(BACKLOG));
                listening(((InetSocketAddress) listening.localAddress()).getPort());
                Network.runServer(listening, EchoServers::curioEcho);
            });
        }
    }

    private static void curioEcho(Socket client, SocketAddress from) throws IOException, CancelledException {
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        while (client.recvInto(buf.clear()) > 0) {
            client.sendAll(buf.flip());
        }
    }

    /**
     * Curio's line echo server on the default backend: reads a line from the connection's buffered
     * stream and writes it back, the way a line-protocol server uses {@code ByteStream} (what its read
     * buffer holds per connection is what this server is for).
     */
    private static void curioLines() throws Exception {
        try (Kernel kernel = Kernel.builder().build()) {
            kernel.run(() -> {
                Socket listening = Network.tcpServerSocket(new InetSocketAddress(LOOPBACK, 0),
                        Network.ServerOptions.defaults().withBacklog(BACKLOG));
                listening(((InetSocketAddress) listening.localAddress()).getPort());
                Network.runServer(listening, (client, from) -> {
                    client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ByteStream stream = client.asStream();
                    byte[] line;
                    while ((line = stream.readLine()).length > 0) {
                        stream.write(line);
                    }
                });
            });
        }
    }

    // ------------------------------------------------------------------ Netty

    /**
     * Serves echo with Netty's epoll transport and one event loop, until the process is killed.
     *
     * @param backlog the listen backlog, or 0 for Netty's default (the system's somaxconn)
     */
    static void netty(int backlog) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap();
            if (backlog > 0) {
                bootstrap.option(ChannelOption.SO_BACKLOG, backlog);
            }
            Channel server = bootstrap
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<EpollSocketChannel>() {
                        @Override
                        protected void initChannel(EpollSocketChannel ch) {
                            ch.pipeline().addLast(NettyEcho.INSTANCE);
                        }
                    })
                    .bind(new InetSocketAddress(LOOPBACK, 0)).sync().channel();
            listening(((InetSocketAddress) server.localAddress()).getPort());
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }

    /** Netty's echo handler, as in its examples: write what was read, flush when the read ends. */
    @ChannelHandler.Sharable
    static final class NettyEcho extends ChannelInboundHandlerAdapter {
        static final NettyEcho INSTANCE = new NettyEcho();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    // ------------------------------------------------------------------ virtual threads

    private static void virtualThreads() throws IOException {
        try (ServerSocket server = new ServerSocket(0, BACKLOG, LOOPBACK)) {
            listening(server.getLocalPort());
            while (true) {
                java.net.Socket client = server.accept();
                Thread.ofVirtual().start(() -> blockingEcho(client));
            }
        }
    }

    private static void blockingEcho(java.net.Socket client) {
        try (client) {
            client.setTcpNoDelay(true);
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** {@return the names of the servers, in the order the harness runs them} */
    static String[] names() {
        return new String[] {"curio-virtual", "curio-continuation", "netty", "vthreads"};
    }

    /** {@return servers the harness runs only when named: {@code curio-lines}, a line echo over a stream} */
    static String[] extraNames() {
        return new String[] {"curio-lines"};
    }

    /** {@return whether {@code name} is a curio server (which needs the continuation export)} */
    static boolean isCurio(String name) {
        return name.toLowerCase(Locale.ROOT).startsWith("curio");
    }
}
