/**
 * Readiness waiting: the {@link org.curio.kernel.internal.poll.Poller} seam, Netty's native epoll
 * behind it, and a fallback that only sleeps and wakes for platforms without epoll. Never exported;
 * no Netty type leaves this package.
 */
@NullMarked
package org.curio.kernel.internal.poll;

import org.jspecify.annotations.NullMarked;
