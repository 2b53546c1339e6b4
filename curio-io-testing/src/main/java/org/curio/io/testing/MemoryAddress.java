package org.curio.io.testing;

import java.io.Serial;
import java.net.SocketAddress;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The address of a {@link MemoryNetwork} listener or of one end of a memory connection: a name, and
 * for a connecting end the number of its connection. A listener named {@code kv} is
 * {@code memory:kv}; the third connection made on the network, if it connected to {@code kv}, has
 * the address {@code memory:kv#3} at its connecting end, while its accepted end has the listener's
 * address, as a TCP server's connections share the server's port.
 *
 * <p>The ends of a {@link MemoryNetwork#pair() pair} are named {@code pair}: the left end is
 * {@code memory:pair#n}, the right end {@code memory:pair}.
 *
 * <p>Addresses are values: equal when name and number are.
 */
public final class MemoryAddress extends SocketAddress {
    @Serial private static final long serialVersionUID = 1L;

    /** The listener's name, or {@code pair}. */
    private final String name;
    /** The connection's number; 0 for a listening address. */
    private final int number;

    private MemoryAddress(String name, int number) {
        this.name = name;
        this.number = number;
    }

    /**
     * {@return the address of the listener named {@code name}}
     *
     * @param name the name; not empty
     */
    public static MemoryAddress of(String name) {
        return of(name, 0);
    }

    /**
     * {@return the address of the connecting end of connection {@code number} to {@code name}, or the
     * listener's address if {@code number} is 0}
     *
     * @param name   the name; not empty
     * @param number the connection's number; not negative
     */
    public static MemoryAddress of(String name, int number) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name must not be empty");
        }
        if (number < 0) {
            throw new IllegalArgumentException("number must not be negative: " + number);
        }
        return new MemoryAddress(name, number);
    }

    /** {@return the name: of the listener, or {@code pair}} */
    public String name() {
        return name;
    }

    /** {@return the connection's number, counted per network from 1; 0 for a listening address} */
    public int number() {
        return number;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof MemoryAddress a && a.number == number && a.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + number;
    }

    /** {@return {@code memory:name}, or {@code memory:name#number} for a connecting end} */
    @Override
    public String toString() {
        return number == 0 ? "memory:" + name : "memory:" + name + "#" + number;
    }
}
