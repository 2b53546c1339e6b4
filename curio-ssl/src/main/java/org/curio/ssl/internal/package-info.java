/** Implementation of curio-ssl: the worker threads for engine tasks and the SNI key manager. Not exported. */
@NullMarked
package org.curio.ssl.internal;

import org.jspecify.annotations.NullMarked;
