package org.curio.workers.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The main class of a worker JVM: connects back to its parent over loopback, then runs one job at a
 * time until the connection or its standard input ends (the parent closed the pool or died).
 */
public final class WorkerMain {
    /** Reply: the job's value follows, serialized. */
    static final int VALUE = 0;
    /** Reply: the job's exception follows, serialized. */
    static final int THROWN = 1;
    /** Reply: UTF-8 text follows: what could not be read or sent, with the worker's stack. */
    static final int FAILURE = 2;

    private WorkerMain() {}

    /**
     * Runs the worker.
     *
     * @param args the parent's port and the token that proves this worker is the one it started
     * @throws IOException if the parent cannot be reached
     */
    public static void main(String[] args) throws IOException {
        watchStandardInput();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0]))) {
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            out.writeLong(Long.parseLong(args[1]));
            out.flush();
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException e) {
                    return;                              // the pool is closing
                }
                byte[] request = in.readNBytes(length);
                reply(out, run(request));
                out.flush();
            }
        } finally {
            Runtime.getRuntime().halt(0);                // jobs may have left non-daemon threads behind
        }
    }

    /** The parent holds our standard input open; its end means the parent has gone. */
    private static void watchStandardInput() {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is sent on standard input
                }
            } catch (IOException e) {
                // the same as an end
            }
            Runtime.getRuntime().halt(0);
        }, "curio-worker-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    private record Reply(int kind, byte[] body) {}

    private static Reply run(byte[] request) {
        Object job;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(request))) {
            job = in.readObject();
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return failure("the worker could not read the job", e);
        }
        Object value;
        try {
            value = call(job);
        } catch (Exception | Error e) {                  // the job's failure travels back to the caller
            try {
                return new Reply(THROWN, serialize(e));
            } catch (IOException | RuntimeException s) {
                return failure("the job threw " + e + ", which could not be sent back (" + s + ")", e);
            }
        }
        try {
            return new Reply(VALUE, serialize(value));
        } catch (IOException | RuntimeException e) {
            return failure("the job's result (a " + (value == null ? "null" : value.getClass().getName())
                    + ") could not be sent back", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object call(Object job) throws Exception {
        if (job instanceof Callable<?> c) {
            return c.call();
        }
        if (job instanceof ByName(String className, Object argument)) {
            Class<?> type = Class.forName(className, true, ClassLoader.getSystemClassLoader());
            Object f = type.getConstructor().newInstance();
            return ((Function<Object, Object>) f).apply(argument);
        }
        throw new IllegalArgumentException("not a job: " + job.getClass().getName());
    }

    /**
     * {@return {@code o} serialized}
     *
     * @param o the object
     * @throws IOException if it does not serialize ({@link java.io.NotSerializableException} names the class)
     */
    public static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static Reply failure(String what, Throwable e) {
        StringWriter w = new StringWriter();
        w.append(what).append(": ");
        e.printStackTrace(new PrintWriter(w));
        return new Reply(FAILURE, w.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(DataOutputStream out, Reply r) throws IOException {
        out.writeByte(r.kind());
        out.writeInt(r.body().length);
        out.write(r.body());
    }

    /**
     * A job named by its class: a public {@code Function} with a public no-argument constructor, made
     * in the worker and applied to {@code argument}.
     *
     * @param className the function's class
     * @param argument  its argument
     */
    public record ByName(String className, java.io.Serializable argument) implements java.io.Serializable {}
}
