/**
 * TLS over curio sockets, with the JDK's SSLEngine.
 *
 * <p>This module's public types arrive with its own issue; for now it holds its module descriptor
 * and this description.
 */
@NullMarked
package org.curio.ssl;

import org.jspecify.annotations.NullMarked;
