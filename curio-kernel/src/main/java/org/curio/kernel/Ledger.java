package org.curio.kernel;

import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a kernel is holding: tests assert it is {@linkplain #isEmpty() empty} after they finish (no
 * leaked task, timer, descriptor registration, future wait, or anything a library resource holds for
 * the kernel, such as a worker thread or a child process).
 *
 * @param tasks         live tasks (including daemons)
 * @param timers        armed timers (sleeps and timeouts)
 * @param registrations file descriptors registered for readiness
 * @param futureWaits   tasks waiting for a future
 * @param resources     what the kernel's library resources hold, by kind (see
 *                      {@link org.curio.kernel.spi.Holdings}); only kinds with something held
 */
public record Ledger(long tasks, long timers, long registrations, long futureWaits, Map<String, Long> resources) {
    /** Copies {@code resources}, leaving out the kinds with nothing held. */
    public Ledger {
        Objects.requireNonNull(resources, "resources");
        resources = Map.copyOf(resources.entrySet().stream()
                .filter(e -> e.getValue() != 0)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    /**
     * A ledger with nothing held by library resources.
     *
     * @param tasks         live tasks (including daemons)
     * @param timers        armed timers (sleeps and timeouts)
     * @param registrations file descriptors registered for readiness
     * @param futureWaits   tasks waiting for a future
     */
    public Ledger(long tasks, long timers, long registrations, long futureWaits) {
        this(tasks, timers, registrations, futureWaits, Map.of());
    }

    /** {@return whether the kernel's own tables hold nothing: no task, timer, registration or future wait} */
    public boolean kernelIsEmpty() {
        return tasks == 0 && timers == 0 && registrations == 0 && futureWaits == 0;
    }

    /** {@return whether the kernel holds nothing, its library resources included} */
    public boolean isEmpty() {
        return kernelIsEmpty() && resources.isEmpty();
    }

    /** {@return the counts, with the resources' only when one holds something} */
    @Override
    public String toString() {
        return "Ledger[tasks=" + tasks + ", timers=" + timers + ", registrations=" + registrations
                + ", futureWaits=" + futureWaits + (resources.isEmpty() ? "" : ", resources=" + new java.util.TreeMap<>(resources)) + "]";
    }
}
