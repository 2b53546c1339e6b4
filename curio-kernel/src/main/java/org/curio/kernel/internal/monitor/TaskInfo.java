package org.curio.kernel.internal.monitor;

/**
 * One task as a snapshot saw it.
 *
 * @param id           the task's id (unique in the JVM)
 * @param name         its name
 * @param state        its state, such as {@code TIME_SLEEP}
 * @param cycles       how many times it has been run
 * @param timeoutNanos time left to its timeout on the kernel clock, or -1 if none
 * @param sleepNanos   time left until it wakes from a sleep, or -1 if not sleeping
 * @param parentId     the id of the task that spawned it, or 0
 * @param daemon       whether it is a daemon
 * @param group        a label of its task group, empty if none or unknown
 */
record TaskInfo(long id, String name, String state, long cycles, long timeoutNanos, long sleepNanos, long parentId,
                boolean daemon, String group) {}
