/**
 * The two coroutine backends and the per-thread record of which task's trap handler is current.
 * Never exported.
 */
@NullMarked
package org.curio.traps.internal;

import org.jspecify.annotations.NullMarked;
