package org.curio.examples;

import java.util.List;

import org.curio.kernel.Curio;
import org.curio.kernel.Kernel;
import org.curio.sync.EndOfQueueException;
import org.curio.sync.UniversalQueue;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.traps.Traps;

/**
 * Curio tasks and plain Java threads sharing {@link UniversalQueue}s: "a queue that can be used in both
 * synchronous and asynchronous code. The API is the same. It just works."
 *
 * <p>A task produces words that a plain thread consumes (the thread blocks in {@code take()}, the task
 * suspends in {@code put()} while the bounded queue is full, {@code close()} ends the stream of words,
 * and {@code join()} waits for the thread's {@code taskDone()} calls); a plain thread produces numbers
 * that the main task consumes (the task suspends in {@code get()} without blocking its kernel). The program prints what happens and exits by
 * itself in well under a second.
 */
public final class ThreadInterop {
    private ThreadInterop() {}

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws Exception if the example fails
     */
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        var toThread = new UniversalQueue<String>(2);     // task -> plain thread, at most 2 waiting
        var toTask = new UniversalQueue<Integer>();       // plain thread -> task

        Thread consumer = Thread.ofPlatform().name("plain-consumer").unstarted(() -> {
            try {
                while (true) {
                    String word = toThread.take();        // blocks this thread only
                    say(start, "thread got '" + word + "'");
                    toThread.taskDone();
                }
            } catch (EndOfQueueException end) {           // closed, and every word taken
                say(start, "thread: no more words");
            } catch (InterruptedException e) {            // an interrupt ends a thread's wait
                say(start, "consumer thread interrupted");
            }
        });
        Thread producer = Thread.ofPlatform().name("plain-producer").unstarted(() -> {
            try {
                for (int n = 1; n <= 5; n++) {
                    toTask.put(n * n);
                    say(start, "thread put " + n * n);
                    Thread.sleep(20);                     // pacing, so the output interleaves
                }
                toTask.put(-1);
            } catch (CancelledException | InterruptedException e) {
                say(start, "producer thread interrupted");
            }
        });

        try (Kernel kernel = Kernel.create()) {
            int sum = kernel.run(() -> {
                consumer.start();                         // plain threads, started once the kernel runs
                producer.start();
                Task<Void> words = Curio.spawn(() -> {
                    for (String word : List.of("alpha", "beta", "gamma", "delta", "epsilon")) {
                        toThread.put(word);               // suspends this task only, while full
                        say(start, "task put '" + word + "'");
                    }
                    toThread.close();                     // the end of the stream of words
                    toThread.join();                      // until the thread has done every word
                    say(start, "task: the thread has processed every word");
                });
                int total = 0;
                for (int n = toTask.get(); n >= 0; n = toTask.get()) {
                    say(start, "task got " + n);
                    total += n;
                }
                words.join();
                return total;
            });
            say(start, "sum of squares from the thread: " + sum);
        }
        consumer.join();
        producer.join();
        say(start, "threads finished; bye");
    }

    private static void say(long start, String what) {
        System.out.printf("%6.3f s  [%s]  %s%n", (System.nanoTime() - start) / 1e9,
                Traps.inTask() ? "task" : Thread.currentThread().getName(), what);
    }
}
