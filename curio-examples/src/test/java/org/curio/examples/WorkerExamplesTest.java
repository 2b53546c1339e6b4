package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.curio.io.Network;
import org.curio.io.Socket;
import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.test.CurioTest;
import org.curio.traps.Task;
import org.curio.workers.Workers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The worker examples: primes counted in processes while echo answers, and a hash in a thread. */
class WorkerExamplesTest {
    /** The JDK keeps a socket open from its first loopback server socket on; open it before the fd check. */
    @BeforeAll
    static void initializeJdkSockets() throws Exception {
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).close();
    }

    /** Echo answers while the primes are counted in worker processes, and the count is right. */
    @CurioTest(realClock = true, timeLimitSeconds = 30)
    @org.junit.jupiter.api.Timeout(30)
    void echoAnswersWhilePrimesAreCounted() throws Exception {
        assertEquals(78_498, PrimesInProcesses.countPrimes(0, 1_000_000));
        try (Socket listening = Network.tcpServerSocket("127.0.0.1", 0)) {
            Task<Void> server = Curio.spawn(() -> Network.runServer(listening, (client, address) -> {
                for (byte[] d = client.recv(100); d.length > 0; d = client.recv(100)) {
                    client.sendAll(d);
                }
            }));
            Task<Long> primes = Curio.spawn(() -> Workers.runInProcess(() -> PrimesInProcesses.countPrimes(0, 3_000_000)));
            int port = ((java.net.InetSocketAddress) listening.localAddress()).getPort();
            int answered = 0;
            try (Socket client = Network.openConnection("127.0.0.1", port)) {
                while (!primes.isTerminated()) {
                    client.sendAll("ping".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("ping", new String(client.recv(100), StandardCharsets.US_ASCII));
                    answered++;
                    Timeouts.sleep(Duration.ofMillis(10));
                }
            }
            assertEquals(216_816, primes.join());
            System.out.println("echo answered " + answered + " times while the primes were counted");
            server.cancel();
        }
    }

    /** The thread example hashes a file and survives its timed-out second hash. */
    @CurioTest(realClock = true)
    void hashInAThread(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "hello\n");
        String hash = Workers.runInThread(() -> BlockingCallInThread.sha256(f, 1));
        assertEquals("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", hash);
    }
}
