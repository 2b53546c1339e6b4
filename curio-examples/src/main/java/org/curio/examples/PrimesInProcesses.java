package org.curio.examples;

import java.io.IOException;
import java.time.Duration;
import java.util.stream.LongStream;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.curio.workers.Workers;

/**
 * CPU-bound work in worker processes while the kernel keeps serving: an echo server on one port, and
 * a task that counts primes below ever larger limits, each count split into chunks that run in the
 * kernel's pool of worker JVMs (one per processor). Echo clients get their answers at once while the
 * workers compute, because the kernel thread only waits for the results. Curio's
 * {@code run_in_process} example.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.PrimesInProcesses 25000
 * </pre>
 *
 * <p>Try {@code nc 127.0.0.1 25000} while it prints counts; Ctrl-C stops it and its workers.
 */
public final class PrimesInProcesses {
    private static final int CHUNKS = 8;

    private PrimesInProcesses() {}

    /**
     * Runs the server and the prime counter.
     *
     * @param args the echo port (default 25000; 0 for any free one), then the number of rounds
     *             (default: until stopped)
     * @throws Exception if the server cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 25000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        Curio.run(() -> {
            Socket listening = Network.tcpServerSocket("127.0.0.1", port);
            System.out.println("Echo at " + listening.localAddress() + "; counting primes in worker processes");
            System.out.flush();
            Task<Void> server = Curio.spawn(() -> Network.runServer(listening, PrimesInProcesses::echo));
            try {
                countPrimes(rounds);
            } finally {
                server.cancel();
                listening.close();
            }
            return null;
        });
    }

    private static void echo(Socket client, java.net.SocketAddress address) throws IOException, CancelledException {
        for (byte[] data = client.recv(1000); data.length > 0; data = client.recv(1000)) {
            client.sendAll(data);
        }
    }

    /** Counts primes below 2, 4, 8 … million, each count in {@value #CHUNKS} jobs across the workers. */
    static void countPrimes(int rounds) throws CancelledException {
        for (int round = 1; round <= rounds; round++) {
            long limit = 1_000_000L << round;
            long chunk = limit / CHUNKS;
            long start = System.nanoTime();
            long total;
            try (TaskGroup<Object> g = TaskGroup.open()) {
                for (int i = 0; i < CHUNKS; i++) {
                    long from = i * chunk;
                    long to = i == CHUNKS - 1 ? limit : from + chunk;
                    g.spawn(() -> Workers.runInProcess(() -> countPrimes(from, to)));
                }
                g.join();
                total = g.results().stream().mapToLong(r -> (Long) r).sum();
            }
            System.out.printf("%,d primes below %,d (%d ms)%n", total, limit, (System.nanoTime() - start) / 1_000_000);
            System.out.flush();
            Timeouts.sleep(Duration.ofMillis(100));
        }
    }

    /** {@return how many primes lie in [{@code from}, {@code to})} Plain trial division: CPU-bound on purpose. */
    static long countPrimes(long from, long to) {
        return LongStream.range(Math.max(2, from), to).filter(PrimesInProcesses::isPrime).count();
    }

    private static boolean isPrime(long n) {
        if (n < 4) {
            return n >= 2;
        }
        if (n % 2 == 0) {
            return false;
        }
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}
