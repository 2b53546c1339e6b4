package org.curio.workers.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.curio.workers.WorkerException;
import org.jspecify.annotations.Nullable;

/**
 * One worker JVM and the platform thread that talks to it: the thread starts the JVM, waits for it to
 * connect back over loopback, then sends each job and reads its reply. Any end of the connection is
 * the worker's death, reported at once with how the process ended.
 */
public final class ProcessWorker {
    /*
     * Implementation notes. Requests travel on a loopback socket that only this worker could connect
     * to (the token), never on the worker's standard streams, so whatever the job prints cannot
     * corrupt them; its standard output and error are copied to the parent's, and the last lines of
     * its error are kept to explain a failed start. The parent keeps the worker's standard input open
     * and never writes to it: its end tells the worker the parent has gone.
     */
    private static final SecureRandom TOKENS = new SecureRandom();
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final ProcessPool pool;
    private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> reaped = new CompletableFuture<>(); // once the process has exited
    private final CompletableFuture<Long> started = new CompletableFuture<>(); // the pid, once connected
    private final ArrayDeque<String> errorTail = new ArrayDeque<>();           // guarded by itself
    private final Thread thread;
    private volatile @Nullable Process process;
    private volatile boolean killed;
    private boolean dead;                                // guarded by jobs: no job is taken any more
    private @Nullable Thread errorPump;
    private static final Job EXITED = new Job(new byte[0], new CompletableFuture<>());

    /** A serialized job and where its outcome goes. */
    record Job(byte[] request, CompletableFuture<Object> reply) {}

    /** What came back for a job: its value, or its exception as thrown in the worker. */
    public record Outcome(@Nullable Object value, @Nullable Throwable thrown) {}

    ProcessWorker(ProcessPool pool, List<String> options) {
        this.pool = pool;
        this.thread = Thread.ofPlatform().daemon().name("curio-process-worker-" + IDS.incrementAndGet())
                .unstarted(() -> run(options));
        thread.start();
    }

    /** {@return completed with the pid once the worker has connected, or with why it could not start} */
    public CompletableFuture<Long> started() {
        return started;
    }

    /** {@return completed once the process has exited and been reaped} */
    public CompletableFuture<Void> reaped() {
        return reaped;
    }

    /** {@return the process id, or -1 before the process exists} */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /**
     * Sends a serialized job; the future completes with an {@link Outcome} or fails with a
     * {@link WorkerException}.
     *
     * @param request the serialized job
     * @return its outcome
     */
    public CompletableFuture<Object> submit(byte[] request) {
        CompletableFuture<Object> reply = new CompletableFuture<>();
        synchronized (jobs) {
            if (dead) {
                reply.completeExceptionally(new WorkerException("worker process " + pid() + " has ended", pid()));
            } else {
                jobs.add(new Job(request, reply));
            }
        }
        return reply;
    }

    /** Kills the process (SIGKILL); the worker thread reaps it and reports the death. */
    public void kill() {
        killed = true;
        Process p = process;
        if (p != null) {
            p.destroyForcibly();                         // the exit reaches the thread through EXITED
        }
    }

    private void run(List<String> options) {
        Job current = null;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long token = TOKENS.nextLong();
            Process p = new ProcessBuilder(WorkerCommand.build(server.getLocalPort(), token, options)).start();
            process = p;
            pool.processStarted();
            p.onExit().thenRun(() -> jobs.add(EXITED)); // an idle worker learns of its death too
            pump(p.getInputStream(), System.out, false);
            errorPump = pump(p.getErrorStream(), System.err, true);
            if (killed) {
                p.destroyForcibly();
            }
            try (Socket s = accept(server, p, token)) {
                started.complete(p.pid());
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
                while (true) {
                    current = jobs.take();
                    if (current == EXITED) {
                        current = null;
                        throw new IOException("the worker process ended");
                    }
                    out.writeInt(current.request().length);
                    out.write(current.request());
                    out.flush();
                    current.reply().complete(read(in));
                    current = null;
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // Discussion: a RuntimeException here is ours or the JDK's (ProcessBuilder on a bad path);
            // either way the worker is unusable, and the waiting task must hear why.
            WorkerException death = death(e);
            started.completeExceptionally(death);
            if (current != null) {
                current.reply().completeExceptionally(death);
            }
            synchronized (jobs) {
                dead = true;
                for (Job j; (j = jobs.poll()) != null; ) {
                    j.reply().completeExceptionally(death);
                }
            }
        } finally {
            reap();
        }
    }

    private Socket accept(ServerSocket server, Process p, long token) throws IOException {
        server.setSoTimeout(100);
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (true) {
            Socket s;
            try {
                s = server.accept();
            } catch (SocketTimeoutException e) {
                if (!p.isAlive() || killed) {
                    throw new IOException("the worker ended before it connected");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the worker did not connect within 60 s");
                }
                continue;
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout(5_000);
            long got = new DataInputStream(s.getInputStream()).readLong();
            s.setSoTimeout(0);
            if (got == token) {
                return s;
            }
            s.close();                                   // someone else on this machine; keep waiting
        }
    }

    private static Outcome read(DataInputStream in) throws IOException {
        int kind = in.readUnsignedByte();
        byte[] body = in.readNBytes(in.readInt());
        if (kind == WorkerMain.FAILURE) {
            return new Outcome(null, new RemoteFailure(new String(body, StandardCharsets.UTF_8)));
        }
        Object o;
        try (ObjectInputStream oin = new ObjectInputStream(new ByteArrayInputStream(body))) {
            o = oin.readObject();
        } catch (ClassNotFoundException | IOException e) {
            return new Outcome(null, new RemoteFailure("the worker's reply could not be read: " + e));
        }
        return kind == WorkerMain.THROWN ? new Outcome(null, (Throwable) o) : new Outcome(o, null);
    }

    /** Describes the end of the worker: how its process ended, or why it could not start. */
    private WorkerException death(Exception cause) {
        Process p = process;
        if (p == null) {
            return new WorkerException("could not start a worker JVM: " + cause, cause, -1);
        }
        boolean exited;
        try {
            exited = p.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            exited = false;
        }
        if (!exited) {
            p.destroyForcibly();
            return new WorkerException("worker process " + p.pid() + " stopped answering (" + cause
                    + "); it was killed", cause, p.pid());
        }
        String how = exitDescription(p.exitValue());
        if (!started.isDone()) {
            Thread pump = errorPump;
            if (pump != null) {
                try {
                    pump.join(1_000);                    // its last lines say why
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new WorkerException("worker process " + p.pid() + " failed to start: " + how
                    + "; its last lines of standard error:\n" + errorTail(), p.pid());
        }
        return new WorkerException("worker process " + p.pid() + " died: " + how, p.pid());
    }

    private String exitDescription(int status) {
        if (killed) {
            return "killed on cancel (SIGKILL)";
        }
        if (status > 128) {
            int signal = status - 128;
            String name = switch (signal) {
                case 9 -> " (SIGKILL)";
                case 15 -> " (SIGTERM)";
                case 6 -> " (SIGABRT)";
                case 11 -> " (SIGSEGV)";
                default -> "";
            };
            return "killed by signal " + signal + name;
        }
        if (status == 3) {
            return "exited with status 3: out of memory (workers run with -XX:+ExitOnOutOfMemoryError)";
        }
        return "exited with status " + status + (status == 0 ? "" : " (System.exit?)");
    }

    private String errorTail() {
        synchronized (errorTail) {
            return errorTail.isEmpty() ? "(none)" : String.join("\n", errorTail);
        }
    }

    private void reap() {
        Process p = process;
        boolean interrupted = false;
        if (p != null) {
            p.destroyForcibly();
            while (true) {
                try {
                    p.waitFor();                         // the JDK reaps the child: no zombie is left
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        pool.processEnded(this, p != null);
        reaped.complete(null);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies a stream of the worker's to the parent's, keeping the last error lines. */
    private Thread pump(InputStream from, PrintStream to, boolean keep) {
        return Thread.ofVirtual().name(thread.getName() + (keep ? "-stderr" : "-stdout")).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(from, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    to.println(line);
                    if (keep) {
                        synchronized (errorTail) {
                            errorTail.addLast(line);
                            if (errorTail.size() > 20) {
                                errorTail.removeFirst();
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
    }

    @Override
    public String toString() {
        return "ProcessWorker[pid=" + pid() + (killed ? ", killed" : "") + "]";
    }

    /** A failure in the worker that could not travel as an exception: its text and stack, as sent. */
    public static final class RemoteFailure extends Exception {
        @java.io.Serial private static final long serialVersionUID = 1L;

        RemoteFailure(String text) {
            super(text);
        }
    }
}
