package org.curio.kernel;

import java.util.concurrent.CompletableFuture;

/**
 * A program for {@link MonitorEnvironmentTest}: started by {@link Curio#run}, so the
 * {@code CURIOMONITOR} environment variable turns its console on; prints the console's address and
 * waits until a signal stops it.
 */
public final class MonitorProgram {
    private MonitorProgram() {}

    public static void main(String[] args) throws Exception {
        Curio.run(() -> {
            System.out.println("monitor " + Curio.kernel().monitorAddress().map(Object::toString).orElse("off"));
            System.out.flush();
            try {
                return Curio.awaitFuture(new CompletableFuture<String>());
            } finally {
                System.out.println("cleanup main");
                System.out.flush();
            }
        });
    }
}
