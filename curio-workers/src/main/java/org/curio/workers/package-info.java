/**
 * Running blocking work in threads and worker processes, subprocesses and signals.
 *
 * <p>This module's public types arrive with its own issue; for now it holds its module descriptor
 * and this description.
 */
@NullMarked
package org.curio.workers;

import org.jspecify.annotations.NullMarked;
