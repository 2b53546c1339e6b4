/**
 * Synchronization primitives and queues for curio tasks, and universal ones shared with plain threads.
 *
 * <p>This module's public types arrive with its own issue; for now it holds its module descriptor
 * and this description.
 */
@NullMarked
package org.curio.sync;

import org.jspecify.annotations.NullMarked;
