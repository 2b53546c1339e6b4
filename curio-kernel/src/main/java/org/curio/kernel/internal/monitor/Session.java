package org.curio.kernel.internal.monitor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * One client of a console, served on its own platform thread: reads command lines, answers them.
 */
final class Session implements Runnable {
    /*
     * Implementation notes. The channel is non-blocking under a selector of its own, so that a silent
     * client is dropped after the idle timeout and one that stops reading after WRITE_TIMEOUT: no
     * client can hold the thread for ever. A line longer than LINE_LIMIT bytes ends the session
     * before more is buffered, so no client can grow memory.
     */
    static final int LINE_LIMIT = 1024;
    static final String PROMPT = "curio > ";
    private static final long WRITE_TIMEOUT_MILLIS = 10_000;
    private static final long DRAIN_MILLIS = 500;
    private static final int DRAIN_LIMIT = 64 * 1024;
    private static final System.Logger LOG = System.getLogger("org.curio.kernel.monitor");

    private final SocketChannel channel;
    private final Commands commands;
    private final long idleMillis;
    private final Consumer<Session> onEnd;
    private final ByteBuffer in = ByteBuffer.allocate(LINE_LIMIT + 1);
    private volatile @Nullable Thread thread;
    private volatile @Nullable Selector selector;

    Session(SocketChannel channel, Commands commands, Duration idleTimeout, Consumer<Session> onEnd) {
        this.channel = channel;
        this.commands = commands;
        this.idleMillis = Math.max(1, idleTimeout.toMillis());
        this.onEnd = onEnd;
    }

    /** {@return the thread serving this session, once it runs} */
    @Nullable Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            Selector selector = Selector.open();
            this.selector = selector;
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            send(selector, key, commands.greeting() + PROMPT);
            while (true) {
                String line = readLine(selector, key);
                if (line == null) {
                    return;
                }
                String answer = commands.execute(line);
                if (answer == Commands.QUIT) {
                    send(selector, key, answer);
                    return;
                }
                send(selector, key, answer + PROMPT);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "curio monitor: client ended: " + e);
        } finally {
            closeGracefully();
            Selector s = selector;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "curio monitor: closing a selector: " + e);
                }
            }
            onEnd.accept(this);
        }
    }

    /**
     * Closes after reading what the client sent meanwhile (up to {@link #DRAIN_LIMIT} bytes, for at most
     * {@link #DRAIN_MILLIS}): closing with unread input would reset the connection, and the client would
     * lose the last answer, such as why it is being disconnected.
     */
    private void closeGracefully() {
        Selector s = selector;
        try {
            if (channel.isOpen() && s != null && s.isOpen()) {
                channel.shutdownOutput();
                SelectionKey key = channel.keyFor(s);
                key.interestOps(SelectionKey.OP_READ);
                ByteBuffer sink = ByteBuffer.allocate(4096);
                long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
                for (int total = 0; total < DRAIN_LIMIT; ) {
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0) {
                        break;
                    }
                    s.select(left);
                    s.selectedKeys().clear();
                    sink.clear();
                    int n = channel.read(sink);
                    if (n < 0) {
                        break;
                    }
                    total += n;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "curio monitor: closing a client: " + e);
        } finally {
            close();
        }
    }

    /** {@return the next line without its end, or null when the client is gone, silent too long, or too verbose} */
    private @Nullable String readLine(Selector selector, SelectionKey key) throws IOException {
        long deadline = System.currentTimeMillis() + idleMillis;
        while (true) {
            String line = takeLine();
            if (line != null) {
                return line;
            }
            if (!in.hasRemaining()) {
                send(selector, key, "error: line longer than " + LINE_LIMIT + " bytes; closing\n");
                return null;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                send(selector, key, "\nclosing: no command for " + Duration.ofMillis(idleMillis) + "\n");
                return null;
            }
            key.interestOps(SelectionKey.OP_READ);
            selector.select(left);
            selector.selectedKeys().clear();
            if (!channel.isOpen()) {
                return null;
            }
            if (channel.read(in) < 0) {
                return null;
            }
        }
    }

    /** {@return the first complete line in the buffer, removed from it, or null} */
    private @Nullable String takeLine() {
        for (int i = 0; i < in.position(); i++) {
            if (in.get(i) == '\n') {
                int end = i > 0 && in.get(i - 1) == '\r' ? i - 1 : i;
                String line = new String(in.array(), 0, end, StandardCharsets.UTF_8);
                in.flip();
                in.position(i + 1);
                in.compact();
                return line;
            }
        }
        return null;
    }

    private void send(Selector selector, SelectionKey key, String text) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + WRITE_TIMEOUT_MILLIS;
        while (out.hasRemaining()) {
            if (channel.write(out) > 0) {
                continue;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new IOException("the client has not read its answer for " + WRITE_TIMEOUT_MILLIS + " ms");
            }
            key.interestOps(SelectionKey.OP_WRITE);
            selector.select(left);
            selector.selectedKeys().clear();
        }
    }

    /** Disconnects the client; its thread then ends. Any thread. */
    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "curio monitor: closing a client: " + e);
        }
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }
}
