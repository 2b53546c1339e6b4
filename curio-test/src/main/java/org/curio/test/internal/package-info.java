/** Implementation of the testing kit; not exported. */
@NullMarked
package org.curio.test.internal;

import org.jspecify.annotations.NullMarked;
