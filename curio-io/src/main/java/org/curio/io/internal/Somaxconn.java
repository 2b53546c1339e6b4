package org.curio.io.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The system's limit on a listening socket's backlog ({@code net.core.somaxconn}), read once, as
 * Netty's {@code NetUtil.SOMAXCONN} does: {@code listen(2)} silently caps any larger backlog to it,
 * so asking for it means "as many as the system allows".
 */
public final class Somaxconn {
    /** Used when the limit cannot be read: Linux's default since 5.4, and Netty's fallback. */
    public static final int FALLBACK = 4096;
    private static final Path FILE = Path.of("/proc/sys/net/core/somaxconn");
    private static final int VALUE = read();

    private Somaxconn() {}

    /** {@return the system's backlog limit, read once, or {@link #FALLBACK}} */
    public static int value() {
        return VALUE;
    }

    private static int read() {
        // Discussion: read the line, as Netty does. Files.readString trusts the size the file reports,
        // and a /proc file reports 0: it returned "4" of "4096".
        try (BufferedReader in = Files.newBufferedReader(FILE, StandardCharsets.US_ASCII)) {
            String line = in.readLine();
            return line == null ? FALLBACK : parse(line).orElse(FALLBACK);
        } catch (IOException | RuntimeException e) {
            return FALLBACK;
        }
    }

    /**
     * {@return the positive number in {@code text} (the file's content), or empty if it holds none}
     *
     * @param text the content of the limit's file
     */
    static Optional<Integer> parse(String text) {
        try {
            int n = Integer.parseInt(text.strip());
            return n > 0 ? Optional.of(n) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
