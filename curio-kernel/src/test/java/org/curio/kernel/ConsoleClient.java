package org.curio.kernel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** A test client of the monitor console: sends a line, reads the answer up to the next prompt. */
final class ConsoleClient implements AutoCloseable {
    static final String PROMPT = "curio > ";
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private final String greeting;

    private ConsoleClient(SocketChannel channel, boolean readGreeting) throws IOException {
        this.channel = channel;
        this.in = Channels.newInputStream(channel);
        this.out = Channels.newOutputStream(channel);
        this.greeting = readGreeting ? readUntilPrompt() : "";
    }

    /** Connects and reads the greeting up to the first prompt. */
    static ConsoleClient connect(SocketAddress address) throws IOException {
        return new ConsoleClient(open(address), true);
    }

    /** Connects without reading anything. */
    static ConsoleClient connectSilently(SocketAddress address) throws IOException {
        return new ConsoleClient(open(address), false);
    }

    private static SocketChannel open(SocketAddress address) throws IOException {
        SocketChannel c = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        c.connect(address);
        return c;
    }

    String greeting() {
        return greeting;
    }

    /** Sends {@code line} and returns the answer, without the prompt that ends it. */
    String command(String line) throws IOException {
        send(line + "\n");
        return readUntilPrompt();
    }

    void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** {@return everything until the console closes the connection} */
    String readToEnd() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private String readUntilPrompt() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("console closed the connection; got: " + buffer.toString(StandardCharsets.UTF_8));
            }
            buffer.write(b);
            String s = buffer.toString(StandardCharsets.UTF_8);
            if (s.endsWith(PROMPT)) {
                return s.substring(0, s.length() - PROMPT.length());
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
