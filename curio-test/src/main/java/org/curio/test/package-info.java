/**
 * The deterministic testing kit for curio programs.
 *
 * <p>This module's public types arrive with its own issue; for now it holds its module descriptor
 * and this description.
 */
@NullMarked
package org.curio.test;

import org.jspecify.annotations.NullMarked;
