/**
 * Tools for testing code built on curio-io: {@link org.curio.io.testing.MemoryNetwork}, connections
 * and listeners in memory with buffer sizes, chunking, delays and injected faults, and
 * {@link org.curio.io.testing.StreamContract}, the behaviour every two-way
 * {@link org.curio.io.Connection} must have. Use it with test scope.
 */
module org.curio.io.testing {
    requires transitive org.curio.io;               // Connection, Listener, Connector appear in our signatures
    requires static transitive org.jspecify;        // nullness annotations in our signatures, compile time only

    exports org.curio.io.testing;
}
