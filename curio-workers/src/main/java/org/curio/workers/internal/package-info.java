/**
 * The implementation of curio-workers' subprocesses and signals; not exported.
 */
@NullMarked
package org.curio.workers.internal;

import org.jspecify.annotations.NullMarked;
