package org.curio.kernel;

import java.io.File;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.curio.traps.CancelledException;
import org.curio.traps.Trap;
import org.curio.traps.Traps;
import org.curio.traps.WaitQueue;
import org.jspecify.annotations.Nullable;

/**
 * Small task-side tools for the kernel's own tests, which cannot use curio-sync (it sits beside the
 * kernel): an event, a mailbox, virtual-clock labels for recorded events, and log capture.
 */
final class TestSupport {
    /**
     * {@return the command that runs {@code main} in a new JVM like this one}: the same java, the test's
     * module and class path as a class path, and the same coroutine backend (with its export).
     */
    static List<String> javaCommand(Class<?> main) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Set<String> path = new LinkedHashSet<>();
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            for (String entry : System.getProperty(property, "").split(File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    path.add(entry);
                }
            }
        }
        path.add(new File("target/test-classes").getAbsolutePath());
        List<String> command = new ArrayList<>(List.of(java, "-cp", String.join(File.pathSeparator, path),
                "--enable-native-access=ALL-UNNAMED", "-Dorg.curio.backend=" + System.getProperty("org.curio.backend",
                        "virtual")));
        if ("continuation".equals(System.getProperty("org.curio.backend"))) {
            command.add("--add-exports");
            command.add("java.base/jdk.internal.vm=ALL-UNNAMED");
        }
        command.add(main.getName());
        return command;
    }

    private TestSupport() {}

    /** {@return {@code what} labelled with the kernel clock in seconds, such as {@code "done@1.5"}} */
    static String at(String what) {
        return what + "@" + seconds(Timeouts.clock());
    }

    /** {@return {@code nanos} as seconds without trailing zeros, such as {@code "0.25"}} */
    static String seconds(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }

    /** A one-shot flag tasks can wait for (curio's {@code Event}, built on the same traps). */
    static final class Event {
        private final WaitQueue waiters = WaitQueue.barrier();
        private boolean set;

        /** Sets the flag and wakes every waiter. Never suspends. */
        void set() {
            set = true;
            if (!waiters.isEmpty()) {
                Traps.call(new Trap.SchedWake(waiters, waiters.size()));
            }
        }

        /** Suspends the calling task until the flag is set. */
        void await() throws CancelledException {
            if (!set) {
                Traps.call(new Trap.SchedWait(waiters, "EVENT_WAIT"));
            }
        }

        boolean isSet() {
            return set;
        }
    }

    /** An unbounded FIFO queue: put never suspends, get waits while it is empty. */
    static final class Mailbox<T> {
        private final ArrayDeque<T> items = new ArrayDeque<>();
        private final WaitQueue getters = WaitQueue.fifo();

        void put(T item) {
            items.add(item);
            if (!getters.isEmpty()) {
                Traps.call(new Trap.SchedWake(getters, 1));
            }
        }

        T get() throws CancelledException {
            while (items.isEmpty()) {
                Traps.call(new Trap.SchedWait(getters, "QUEUE_GET"));
            }
            return items.remove();
        }
    }

    /**
     * Records what a {@code java.util.logging} logger (the default back end of {@link System.Logger})
     * receives while open; the logger does not pass the records on to the console meanwhile.
     */
    static final class LogCapture implements AutoCloseable {
        static {
            // The kernel module does not read java.logging; the tests patched into it need to. The
            // Handler subclass (Recorder) must not be loaded before this runs, so only Recorder's own
            // code treats it as a Handler.
            LogCapture.class.getModule().addReads(ModuleLayer.boot().findModule("java.logging").orElseThrow());
        }

        private final Recorder recorder;

        private LogCapture(String name, @Nullable Level level) {
            recorder = new Recorder(Logger.getLogger(name), level);
        }

        /** {@return a capture of every record of logger {@code name}, DEBUG and finer included} */
        static LogCapture on(String name) {
            return new LogCapture(name, Level.ALL);
        }

        /** {@return a capture of logger {@code name} at the level it has by default (INFO, inherited)} */
        static LogCapture atDefaultLevel(String name) {
            return new LogCapture(name, null);
        }

        /** {@return a capture of logger {@code name} that drops everything: silence for floods} */
        static LogCapture off(String name) {
            return new LogCapture(name, Level.OFF);
        }

        /** {@return each record as {@code "LEVEL formatted-message"}, in order} */
        List<String> messages() {
            SimpleFormatter formatter = new SimpleFormatter();
            List<String> list = new ArrayList<>();
            for (LogRecord r : records()) {
                list.add(r.getLevel().getName() + " " + formatter.formatMessage(r));
            }
            return list;
        }

        /** {@return the records, in order} */
        List<LogRecord> records() {
            return recorder.records();
        }

        @Override
        public void close() {
            recorder.detach();
        }

        private static final class Recorder extends Handler {
            private final List<LogRecord> records = new ArrayList<>();
            private final Logger logger;                  // held strongly while attached
            private final Level previousLevel;
            private final boolean previousUseParent;

            Recorder(Logger logger, @Nullable Level level) {
                this.logger = logger;
                previousLevel = logger.getLevel();
                previousUseParent = logger.getUseParentHandlers();
                logger.setLevel(level);
                logger.setUseParentHandlers(false);
                logger.addHandler(this);
            }

            void detach() {
                logger.removeHandler(this);
                logger.setLevel(previousLevel);
                logger.setUseParentHandlers(previousUseParent);
            }

            synchronized List<LogRecord> records() {
                return List.copyOf(records);
            }

            @Override
            public synchronized void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        }
    }
}
