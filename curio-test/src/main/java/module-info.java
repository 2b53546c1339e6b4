/**
 * A testing kit for code built on curio: run a test as a task on a virtual clock, with leak checks
 * ({@link org.curio.test.CurioTest}); run property tries with a seeded schedule perturbation and a
 * real-time watchdog ({@link org.curio.test.Trial}); record and replay traces
 * ({@link org.curio.test.Trace}); check the order of steps ({@link org.curio.test.Steps}).
 */
module org.curio.test {
    requires transitive org.curio.kernel;      // Kernel, VirtualClock appear in our signatures
    requires transitive org.junit.jupiter.api; // the extension API
    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only

    exports org.curio.test;
}
