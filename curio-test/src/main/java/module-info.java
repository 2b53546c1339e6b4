/**
 * A testing kit for code built on curio: run a test as a task on a virtual clock, with leak checks.
 */
module org.curio.test {
    requires transitive org.curio.kernel;      // Kernel, VirtualClock appear in our signatures
    requires transitive org.junit.jupiter.api; // the extension API
    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only

}
