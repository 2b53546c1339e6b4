/** A user's application: one line of requires gives the kernel, the I/O layer and what they expose. */
module org.curio.samples.app {
    requires org.curio.io;
}
