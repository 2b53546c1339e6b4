/**
 * Example programs. {@link org.curio.examples.Demo} is what the README's first command runs.
 */
@NullMarked
package org.curio.examples;

import org.jspecify.annotations.NullMarked;
