package org.curio.io;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records every record a {@code java.util.logging} logger (the default back end of
 * {@link System.Logger}) receives while open, at every level, or makes it fail as a logger does that
 * cannot load what it needs.
 */
final class LogRecorder implements AutoCloseable {
    static {
        // The io module does not read java.logging; the tests patched into it need to. The Handler
        // subclasses must not be loaded (verified) before this runs, so only this class's code names them.
        LogRecorder.class.getModule().addReads(ModuleLayer.boot().findModule("java.logging").orElseThrow());
    }

    private final Logger logger;
    private final Level levelBefore;
    private final @org.jspecify.annotations.Nullable Recording recording;
    private final @org.jspecify.annotations.Nullable Failing failing;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogRecorder(String name, boolean failing) {
        logger = Logger.getLogger(name);
        levelBefore = logger.getLevel();
        logger.setLevel(Level.ALL);
        this.recording = failing ? null : new Recording(logger, records);
        this.failing = failing ? new Failing(logger) : null;
    }

    /** {@return a recorder of logger {@code name} and its children, at every level} */
    static LogRecorder on(String name) {
        return new LogRecorder(name, false);
    }

    /** {@return a handler on logger {@code name} that throws an {@code Error} from every record} */
    static LogRecorder failing(String name) {
        return new LogRecorder(name, true);
    }

    /** {@return the records so far} */
    List<LogRecord> records() {
        return records;
    }

    @Override
    public void close() {
        if (recording != null) {
            recording.detach();
        }
        if (failing != null) {
            failing.detach();
        }
        logger.setLevel(levelBefore);
    }

    private static final class Recording extends Handler {
        private final List<LogRecord> into;
        private final Logger logger;

        Recording(Logger logger, List<LogRecord> into) {
            this.into = into;
            this.logger = logger;
            setLevel(Level.ALL);
            logger.addHandler(this);
        }

        void detach() {
            logger.removeHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            into.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    private static final class Failing extends Handler {
        private final Logger logger;
        private int count;

        Failing(Logger logger) {
            this.logger = logger;
            logger.addHandler(this);
        }

        void detach() {
            logger.removeHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            if (++count % 2 == 0) {
                throw new NoClassDefFoundError("sun/util/calendar/ZoneInfoFile (too many open files)");
            }
            throw new Error("java.io.FileNotFoundException: tzdb.dat (too many open files)");  // as ZoneInfoFile does
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
