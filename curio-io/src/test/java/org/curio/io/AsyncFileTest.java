package org.curio.io;

import static org.curio.io.IoHarness.bytes;
import static org.curio.io.IoHarness.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.curio.kernel.Curio;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;
import org.curio.traps.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Curio 1.6's {@code tests/test_file.py}, ported, plus cancellation and offloading. */
class AsyncFileTest {
    private static final String CONTENT = "line 1\nline 2\nline 3\n";

    @TempDir
    Path dir;
    private Path input;

    @BeforeEach
    void createInput() throws IOException {
        input = dir.resolve("testdata.txt");
        Files.writeString(input, CONTENT);
    }

    /** readAll returns the whole file and leaves it open until closed. */
    @Test
    void readAll() throws Exception {
        String data = IoHarness.run(() -> {
            AsyncFile f = AsyncFile.open(input);
            try (f) {
                byte[] all = f.readAll();
                assertTrue(f.isOpen());
                return text(all);
            } finally {
                assertFalse(f.isOpen());
            }
        });
        assertEquals(CONTENT, data);
    }

    /** read(n) returns what a plain read of n bytes returns (curio's read1). */
    @Test
    void readSome() throws Exception {
        IoHarness.runVoid(() -> {
            try (AsyncFile f = AsyncFile.open(input)) {
                assertEquals("line", text(f.read(4)));
                assertEquals(" 1\nline 2\nline 3\n", text(f.read(1000)));
                assertEquals(0, f.read(1000).length);
            }
        });
    }

    /** readInto fills the buffer with the file's bytes and reports -1 at the end. */
    @Test
    void readInto() throws Exception {
        IoHarness.runVoid(() -> {
            try (AsyncFile f = AsyncFile.open(input)) {
                ByteBuffer buf = ByteBuffer.allocate(1000);
                assertEquals(CONTENT.length(), f.readInto(buf));
                assertEquals(CONTENT, text(Arrays.copyOf(buf.array(), buf.position())));
                assertEquals(-1, f.readInto(ByteBuffer.allocate(10)));
            }
        });
    }

    /** readLine returns the lines one by one, then an empty array. */
    @Test
    void readLine() throws Exception {
        List<String> lines = IoHarness.run(() -> {
            List<String> got = new ArrayList<>();
            try (AsyncFile f = AsyncFile.open(input)) {
                for (byte[] line = f.readLine(); line.length > 0; line = f.readLine()) {
                    got.add(text(line));
                }
            }
            return got;
        });
        assertEquals(List.of("line 1\n", "line 2\n", "line 3\n"), lines);
    }

    /** readLines returns every line. */
    @Test
    void readLines() throws Exception {
        List<String> lines = IoHarness.run(() -> {
            try (AsyncFile f = AsyncFile.open(input)) {
                return f.readLines().stream().map(IoHarness::text).toList();
            }
        });
        assertEquals(List.of("line 1\n", "line 2\n", "line 3\n"), lines);
    }

    /** forEachLine iterates the lines (curio's async for). */
    @Test
    void forEachLine() throws Exception {
        List<String> lines = IoHarness.run(() -> {
            List<String> got = new ArrayList<>();
            try (AsyncFile f = AsyncFile.open(input)) {
                f.forEachLine(line -> got.add(text(line)));
            }
            return got;
        });
        assertEquals(List.of("line 1\n", "line 2\n", "line 3\n"), lines);
    }

    /** write then flush puts the bytes in the file. */
    @Test
    void write() throws Exception {
        Path out = dir.resolve("tmp.txt");
        IoHarness.runVoid(() -> {
            try (AsyncFile f = AsyncFile.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                f.write(bytes("line1\nline2\n"));
                f.write(ByteBuffer.wrap(bytes("line3\n")));
                f.flush();
            }
        });
        assertEquals("line1\nline2\nline3\n", Files.readString(out));
    }

    /** writeLines writes every line in order. */
    @Test
    void writeLines() throws Exception {
        Path out = dir.resolve("tmp.txt");
        IoHarness.runVoid(() -> {
            try (AsyncFile f = AsyncFile.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                f.writeLines(List.of(bytes("line1\n"), bytes("line2\n"), bytes("line3\n")));
            }
        });
        assertEquals(List.of("line1", "line2", "line3"), Files.readAllLines(out));
    }

    /** seek and tell agree with a plain file, also after buffered reads. */
    @Test
    void seekTell() throws Exception {
        IoHarness.runVoid(() -> {
            try (AsyncFile f = AsyncFile.open(input)) {
                assertEquals(10, f.seek(10));
                assertEquals(10, f.tell());
                assertEquals(CONTENT.substring(10), text(f.readAll()));
                f.seek(0);
                assertEquals("line 1\n", text(f.readLine()));
                assertEquals(7, f.tell());                      // the read-ahead does not count
                assertEquals(CONTENT.length(), f.size());
            }
        });
    }

    /** Truncate, seek and write give curio's 126789. */
    @Test
    void truncate() throws Exception {
        Path out = dir.resolve("tmp.txt");
        IoHarness.runVoid(() -> {
            try (AsyncFile f = AsyncFile.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ)) {
                f.write(bytes("12345"));
                f.flush();
                assertEquals(5, f.tell());
                f.truncate(2);
                f.seek(2);
                f.write(bytes("6789"));
            }
            try (AsyncFile f = AsyncFile.open(out)) {
                assertEquals("126789", text(f.readAll()));
            }
        });
    }

    /** A write after a buffered read lands where the read stopped, not at the read-ahead's end. */
    @Test
    void writeAfterRead() throws Exception {
        IoHarness.runVoid(() -> {
            try (AsyncFile f = AsyncFile.open(input, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                assertEquals("line 1\n", text(f.readLine()));
                f.write(bytes("LINE 2"));
                assertEquals("\nline 3\n", text(f.readAll()));
            }
        });
        assertEquals("line 1\nLINE 2\nline 3\n", Files.readString(input));
    }

    /** blocking() hands over the channel positioned where the next read would start. */
    @Test
    void blocking() throws Exception {
        IoHarness.runVoid(() -> {
            try (AsyncFile f = AsyncFile.open(input)) {
                assertEquals("line 1\n", text(f.readLine()));
                FileChannel c = f.blocking();
                ByteBuffer rest = ByteBuffer.allocate(100);
                c.read(rest);
                assertEquals(CONTENT.substring(7), text(Arrays.copyOf(rest.array(), rest.position())));
            }
        });
    }

    /** Opening a missing file fails with NoSuchFileException; a closed file refuses operations. */
    @Test
    void errors() throws Exception {
        IoHarness.runVoid(() -> {
            assertThrows(NoSuchFileException.class, () -> AsyncFile.open(dir.resolve("missing")));
            AsyncFile f = AsyncFile.open(input);
            f.close();
            assertThrows(ClosedChannelException.class, f::readAll);
            assertThrows(ClosedChannelException.class, () -> f.write(bytes("x")));
            assertThrows(IllegalArgumentException.class, () -> f.seek(-1));
        });
    }

    /** A read cancelled while the worker runs loses nothing: the next read returns the same bytes. */
    @Test
    void cancelledReadLosesNothing() throws Exception {
        byte[] big = new byte[8 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        Path file = dir.resolve("big.bin");
        Files.write(file, big);
        IoHarness.runVoid(() -> {
            try (AsyncFile f = AsyncFile.open(file)) {
                Task<?> reader = Curio.spawn(f::readAll);
                Curio.schedule();
                reader.cancel();
                assertTrue(reader.exception().orElseThrow() instanceof CancelledException);
                assertArrayEquals(big, f.readAll());
            }
        });
    }

    /** While a large file is read, the kernel keeps running other tasks. */
    @Test
    void kernelNeverBlocks() throws Exception {
        Path file = dir.resolve("big.bin");
        Files.write(file, new byte[32 << 20]);
        IoHarness.runVoid(() -> {
            int[] turns = new int[1];
            boolean[] done = new boolean[1];
            Task<?> ticker = Curio.spawn(() -> {
                while (!done[0]) {
                    turns[0]++;
                    Timeouts.sleep(java.time.Duration.ZERO);
                }
            });
            try (AsyncFile f = AsyncFile.open(file)) {
                assertEquals(32 << 20, f.readAll().length);
            }
            done[0] = true;
            ticker.join();
            assertTrue(turns[0] > 1, "the ticker ran " + turns[0] + " times");
        });
    }

    /**
     * A file's lines share a stream's limit: a line longer than the limit fails after exactly the limit
     * is buffered, a larger limit then reads it whole, and the default is 64 KiB.
     */
    @Test
    void lineLimit() throws Exception {
        Path lines = dir.resolve("lines.txt");
        String longLine = "x".repeat(100) + "\n";
        Files.writeString(lines, longLine + "short\n" + "y".repeat(ByteStream.DEFAULT_LINE_LIMIT) + "\n");
        List<String> events = IoHarness.run(() -> {
            List<String> got = new ArrayList<>();
            try (AsyncFile f = AsyncFile.open(lines)) {
                got.add("default limit " + f.lineLimit());
                f.setLineLimit(10);
                LimitExceededException e = assertThrows(LimitExceededException.class, f::readLine);
                got.add("limit " + e.limit() + ", tell " + f.tell());
                got.add("again: " + assertThrows(LimitExceededException.class, f::readLine).limit());
                got.add("at most 200: " + f.readLineAtMost(200).length);
                got.add("then: " + text(f.readLine()).strip());
                f.setLineLimit(ByteStream.DEFAULT_LINE_LIMIT);
                got.add("64 KiB line: " + assertThrows(LimitExceededException.class, f::readLine).limit());
                got.add("lines left: " + f.readLines().size());
            }
            return got;
        });
        assertEquals(List.of("default limit 65536", "limit 10, tell 0", "again: 10", "at most 200: 101",
                "then: short", "64 KiB line: 65536", "lines left: 1"), events);
    }
}
