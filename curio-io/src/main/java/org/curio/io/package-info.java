/**
 * Sockets, streams, files and network helpers for curio tasks.
 *
 * <p>This module's public types arrive with its own issue; for now it holds its module descriptor
 * and this description.
 */
@NullMarked
package org.curio.io;

import org.jspecify.annotations.NullMarked;
