/**
 * Subprocess figures: spawn-and-wait and bulk piping, beside {@link java.lang.ProcessBuilder}.
 */
@NullMarked
package org.curio.bench.workers;

import org.jspecify.annotations.NullMarked;
