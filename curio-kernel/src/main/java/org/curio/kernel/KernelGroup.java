package org.curio.kernel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.curio.kernel.internal.GroupMember;
import org.curio.traps.CancelledException;
import org.curio.traps.Traps;
import org.jspecify.annotations.Nullable;

/**
 * Several kernels, each on a platform thread of its own: one kernel per core. The kernels share
 * nothing: each runs its own tasks, timers and descriptors, one task at a time as any kernel does,
 * while the kernels run in parallel with each other.
 *
 * {@snippet :
 * try (KernelGroup group = KernelGroup.create()) {          // one kernel per available processor
 *     List<String> names = group.runOnEach(index -> "kernel " + index + " ran on " + Curio.kernel());
 * }
 * }
 *
 * <p><b>Confinement.</b> A task, and everything its kernel keeps for it, belongs to one kernel.
 * A task of one kernel that joins or cancels a task of another, parks on or wakes a wait queue on which
 * another kernel's tasks wait (curio-sync's {@code Lock}, {@code Queue}, {@code Event}), or waits on a
 * socket or pipe another kernel's task has waited on, fails at once with an
 * {@link IllegalArgumentException} that names both kernels. Between kernels, use the universal
 * primitives of curio-sync ({@code UniversalQueue}, {@code UniversalEvent}, {@code UniversalResult}),
 * which work from any task of any kernel and from plain threads, or {@link #submit}; a descriptor
 * that no task has waited on yet (a socket just accepted) may be handed to another kernel, which
 * then owns it.
 *
 * <p><b>Threads.</b> Member {@code i} runs on the platform thread {@code curio-group-<i>} (its loop
 * on a virtual thread when the backend is {@link CoroutineBackend#VIRTUAL}, see {@link Kernel}).
 * The threads are started by {@link Builder#build()} and end in {@link #close()}.
 *
 * <p><b>Thread safety.</b> Every method may be called from any thread that is not a curio task,
 * except {@link #submit} and {@link #size}, which tasks may call too.
 */
public final class KernelGroup implements AutoCloseable {
    /*
     * Implementation notes. Each member's kernel runs a host task as its main task (GroupMember):
     * it waits for submissions on a future and spawns each as a task, so work reaches a running
     * kernel only through the kernel's ordinary FutureWait hand-off; nothing in the kernel loop
     * knows about groups. close() stops every host; each member thread then closes its kernel,
     * which cancels the tasks still alive, and ends.
     */
    private static final System.Logger LOG = System.getLogger("org.curio.kernel");
    private static final AtomicInteger GROUPS = new AtomicInteger();

    private final String name;
    private final List<Kernel> kernels;
    private final List<GroupMember> members;
    private final List<Thread> threads;
    private final List<@Nullable Throwable> closeFailures;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger next = new AtomicInteger();

    private KernelGroup(Builder b) {
        this.name = b.name != null ? b.name : "group" + GROUPS.incrementAndGet();
        int n = b.size;
        List<Kernel> ks = new ArrayList<>(n);
        List<GroupMember> ms = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String kernelName = name + "-" + i;
            ks.add(b.kernels.name(kernelName).build());
            ms.add(new GroupMember(kernelName));
        }
        this.kernels = List.copyOf(ks);
        this.members = List.copyOf(ms);
        this.closeFailures = new ArrayList<>(java.util.Collections.nCopies(n, null));
        List<Thread> ts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            ts.add(Thread.ofPlatform().name("curio-" + name + "-" + i).start(() -> runMember(index)));
        }
        this.threads = List.copyOf(ts);
    }

    /** The body of member {@code i}'s thread: the kernel runs its host until the group closes. */
    private void runMember(int i) {
        Kernel kernel = kernels.get(i);
        GroupMember member = members.get(i);
        Throwable failure = null;
        try {
            kernel.run(member::host);
        } catch (Exception | Error e) {
            failure = e;
        } finally {
            try {
                kernel.close();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
            member.abandonQueued();
            synchronized (closeFailures) {
                closeFailures.set(i, failure);
            }
            if (failure != null && !closed.get()) {
                LOG.log(System.Logger.Level.ERROR, kernel + " of " + this + " stopped before the group closed", failure);
            }
        }
    }

    /** {@return a group of one kernel per available processor, with the default backend} */
    public static KernelGroup create() {
        return builder().build();
    }

    /** {@return a builder for a group with a chosen size, backend, shutdown timeout and budget} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the number of kernels} */
    public int size() {
        return kernels.size();
    }

    /**
     * {@return member {@code index}'s kernel} Its {@link Kernel#run} refuses while the group runs it;
     * use it for {@link Kernel#ledger()}, {@link Kernel#backend()} and to compare with {@link Curio#kernel()}.
     *
     * @param index the member's index, from 0 to {@code size() - 1}
     * @throws IndexOutOfBoundsException if there is no such member
     */
    public Kernel kernel(int index) {
        return kernels.get(Objects.checkIndex(index, kernels.size()));
    }

    /** {@return the kernels, in member order} */
    public List<Kernel> kernels() {
        return kernels;
    }

    /**
     * Starts {@code body} as a task of member {@code index}'s kernel and returns at once. The future
     * completes with the task's result or failure when it ends; cancelling the future asks the task
     * to cancel (it may still be running when the future reports the cancellation). Any thread,
     * also a task of any kernel (wait for the future with {@link Curio#awaitFuture}).
     *
     * @param index the member's index
     * @param body  the task's body
     * @param <T>   its result
     * @return the task's outcome
     * @throws IndexOutOfBoundsException if there is no such member
     * @throws IllegalStateException     if the group is closed
     */
    public <T> CompletableFuture<T> submit(int index, Callable<? extends T> body) {
        Objects.requireNonNull(body, "body");
        GroupMember.Submission<T> s = start(index, body, "submitted");
        CompletableFuture<T> future = new CompletableFuture<>();
        s.outcome().whenComplete((v, e) -> {
            if (e == null) {
                future.complete(v);
            } else {
                future.completeExceptionally(e);
            }
        });
        future.whenComplete((v, e) -> {
            if (future.isCancelled()) {
                s.cancel();
            }
        });
        return future;
    }

    /**
     * Starts {@code body} as a task of the next kernel in turn (round robin). See {@link #submit(int, Callable)}.
     *
     * @param body the task's body
     * @param <T>  its result
     * @return the task's outcome
     * @throws IllegalStateException if the group is closed
     */
    public <T> CompletableFuture<T> submit(Callable<? extends T> body) {
        return submit(Math.floorMod(next.getAndIncrement(), kernels.size()), body);
    }

    private <T> GroupMember.Submission<T> start(int index, Callable<? extends T> body, String taskName) {
        Objects.checkIndex(index, kernels.size());
        if (closed.get()) {
            throw new IllegalStateException("cannot start a task: " + this + " is closed");
        }
        return members.get(index).submit(body, taskName);
    }

    /**
     * A body run once on every kernel of a group.
     *
     * @param <T> its result
     */
    @FunctionalInterface
    public interface EachBody<T> {
        /**
         * Runs on member {@code index}'s kernel, as a task of it.
         *
         * @param index the member's index, from 0 to {@code size() - 1}
         * @return the result for that member
         * @throws Exception anything
         */
        T call(int index) throws Exception;
    }

    /**
     * Runs {@code body} as a task on every kernel at once and waits until every one has ended. If one
     * fails, the others are cancelled; the first failure is thrown, with the other failures (other than
     * the cancellations this caused) added to it as suppressed exceptions.
     *
     * {@snippet :
     * group.runOnEach(index -> {
     *     Network.tcpServer("", 8080, handler, Network.ServerOptions.defaults().withReusePort(true));
     *     return null;
     * });
     * }
     *
     * @param body the body; its argument is the member's index
     * @param <T>  its result
     * @return the results, in member order
     * @throws Exception             the first failure, unchanged (with the rest suppressed)
     * @throws IllegalStateException if the group is closed, or the caller is a curio task (it would
     *                               hold up its own kernel)
     */
    public <T> List<T> runOnEach(EachBody<? extends T> body) throws Exception {
        Objects.requireNonNull(body, "body");
        if (Traps.inTask()) {
            throw new IllegalStateException("KernelGroup.runOnEach cannot be called from inside a curio task;"
                    + " start the tasks with submit() and wait for their futures with Curio.awaitFuture");
        }
        int n = kernels.size();
        List<GroupMember.Submission<T>> started = new ArrayList<>(n);
        AtomicBoolean failed = new AtomicBoolean();
        for (int i = 0; i < n; i++) {
            int index = i;
            GroupMember.Submission<T> s = start(i, () -> body.call(index), "each-" + i);
            started.add(s);
            s.outcome().whenComplete((v, e) -> {
                if (e != null && failed.compareAndSet(false, true)) {
                    started.forEach(GroupMember.Submission::cancel);
                }
            });
        }
        if (failed.get()) {                                  // a failure came before every task was listed
            started.forEach(GroupMember.Submission::cancel);
        }
        return collect(started);
    }

    private static <T> List<T> collect(List<GroupMember.Submission<T>> started) throws Exception {
        boolean interrupted = false;
        List<T> results = new ArrayList<>(started.size());
        Throwable first = null;
        List<Throwable> others = new ArrayList<>();
        for (GroupMember.Submission<T> s : started) {
            while (true) {
                try {
                    results.add(s.outcome().get());
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    started.forEach(GroupMember.Submission::cancel);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    results.add(null);
                    if (first == null || first instanceof CancelledException && !(cause instanceof CancelledException)) {
                        if (first != null) {
                            others.add(first);
                        }
                        first = cause;
                    } else {
                        others.add(cause);
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (first == null) {
            return results;
        }
        for (Throwable t : others) {
            if (!(t instanceof CancelledException) && t != first) {
                first.addSuppressed(t);
            }
        }
        if (first instanceof Exception e) {
            throw e;
        }
        if (first instanceof Error err) {
            throw err;
        }
        throw new CompletionException(first);
    }

    /**
     * Stops every kernel: each cancels its remaining tasks, newest first, and waits for them (see
     * {@link Kernel#close()}), and each thread ends. Waits until all have. Does nothing if closed
     * already.
     *
     * @throws IllegalStateException if the caller is a curio task, or if some kernel could not shut
     *                               down cleanly (the first such failure, the others suppressed)
     */
    @Override
    public void close() {
        if (Traps.inTask()) {
            throw new IllegalStateException("KernelGroup.close cannot be called from inside a curio task");
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        members.forEach(GroupMember::stop);
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        RuntimeException failure = null;
        synchronized (closeFailures) {
            for (int i = 0; i < closeFailures.size(); i++) {
                Throwable f = closeFailures.get(i);
                if (f == null) {
                    continue;
                }
                if (failure == null) {
                    failure = new IllegalStateException(kernels.get(i) + " of " + this + " did not stop cleanly: " + f, f);
                } else {
                    failure.addSuppressed(f);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public String toString() {
        return "KernelGroup[" + name + ", " + kernels.size() + " kernels" + (closed.get() ? ", closed" : "") + "]";
    }

    /** Chooses a group's size, name, backend, shutdown timeout and cooperative budget. */
    public static final class Builder {
        private int size = Runtime.getRuntime().availableProcessors();
        private @Nullable String name;
        private final Kernel.Builder kernels = Kernel.builder();   // every kernel's settings, named one by one

        private Builder() {}

        /**
         * Sets the number of kernels; the default is {@link Runtime#availableProcessors()}.
         *
         * @param kernels the number; positive
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder size(int kernels) {
            if (kernels < 1) {
                throw new IllegalArgumentException("a kernel group needs at least one kernel: " + kernels);
            }
            this.size = kernels;
            return this;
        }

        /**
         * Names the group; member {@code i}'s kernel is named {@code <name>-<i>} (see
         * {@link Kernel.Builder#name}). The default is {@code group<n>}, numbered in order of creation.
         *
         * @param name the name; not blank
         * @return this builder
         * @throws IllegalArgumentException if it is blank
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("group name must not be blank: \"" + name + "\"");
            }
            this.name = name;
            return this;
        }

        /**
         * Sets every kernel's coroutine backend. See {@link Kernel.Builder#backend}.
         *
         * @param backend the backend
         * @return this builder
         */
        public Builder backend(CoroutineBackend backend) {
            kernels.backend(backend);
            return this;
        }

        /**
         * Sets how long each kernel's close waits for its cancelled tasks. See
         * {@link Kernel.Builder#shutdownTimeout}.
         *
         * @param timeout the timeout; positive
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder shutdownTimeout(Duration timeout) {
            kernels.shutdownTimeout(timeout);
            return this;
        }

        /**
         * Sets every kernel's cooperative budget. See {@link Kernel.Builder#cooperativeBudget}.
         *
         * @param operations the budget; positive
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder cooperativeBudget(int operations) {
            kernels.cooperativeBudget(operations);
            return this;
        }

        /**
         * Creates the kernels and starts their threads.
         *
         * @return the group, running
         * @throws IllegalStateException if the continuation backend was chosen but is unavailable
         */
        public KernelGroup build() {
            return new KernelGroup(this);
        }
    }
}
