/**
 * Benchmarks of the testing kit: what the in-memory network costs beside real sockets, and what a
 * trace and a perturbed schedule add to a trap.
 */
@NullMarked
package org.curio.bench.testkit;

import org.jspecify.annotations.NullMarked;
