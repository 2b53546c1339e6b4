package org.curio.ssl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Records, as "LEVEL message (stack trace?)" lines, what the named loggers log at WARNING and above. */
final class LogLines implements AutoCloseable {
    static {
        // curio-ssl does not read java.logging; the tests patched into it need to. The Handler subclass
        // must not be loaded before this runs, so only this class's code names it.
        LogLines.class.getModule().addReads(ModuleLayer.boot().findModule("java.logging").orElseThrow());
    }

    private final Recording recording;

    private LogLines(String... names) {
        recording = new Recording(names);
    }

    /** {@return a recorder of the named loggers (and their children)} */
    static LogLines on(String... names) {
        return new LogLines(names);
    }

    /** {@return the lines recorded so far} */
    List<String> lines() {
        return recording.lines();
    }

    @Override
    public void close() {
        recording.close();
    }

    private static final class Recording extends java.util.logging.Handler {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final List<java.util.logging.Logger> loggers = new ArrayList<>();

        Recording(String... names) {
            for (String name : names) {
                java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
                logger.addHandler(this);
                loggers.add(logger);
            }
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public void publish(java.util.logging.LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                lines.add(r.getLevel().getName() + " " + r.getMessage()
                        + (r.getThrown() == null ? " (no stack trace)" : " (stack trace)"));
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            loggers.forEach(l -> l.removeHandler(this));
        }
    }
}
