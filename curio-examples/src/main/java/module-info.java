/**
 * Runnable curio programs: the demo the README runs, and examples of each module.
 */
module org.curio.examples {
    requires org.curio.kernel;
    requires org.curio.sync;
    requires org.curio.io;
    requires org.curio.ssl;
    requires org.curio.workers;
    requires static transitive org.jspecify;   // nullness annotations in our signatures, compile time only
}
