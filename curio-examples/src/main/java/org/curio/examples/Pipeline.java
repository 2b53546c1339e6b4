package org.curio.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.curio.io.ByteStream;
import org.curio.kernel.Curio;
import org.curio.kernel.TaskGroup;
import org.curio.kernel.Timeouts;
import org.curio.traps.CancelledException;
import org.curio.workers.Redirect;
import org.curio.workers.Subprocess;

/**
 * A shell pipeline, {@code sort words.txt | uniq -c}, run by a task: {@code sort} reads a generated
 * file, a task copies its output into {@code uniq}'s input while another reads {@code uniq}'s
 * counts, all under a timeout that kills both programs if it passes. As curio's
 * {@code examples/subproc.py}.
 *
 * <pre>
 * java -p curio-examples/target/modules -m org.curio.examples/org.curio.examples.Pipeline
 * </pre>
 */
public final class Pipeline {
    private static final List<String> WORDS = List.of("apple", "banana", "cherry", "date", "elder");

    private Pipeline() {}

    /**
     * Counts the words of a generated file with {@code sort | uniq -c}.
     *
     * @param args the number of words (default 100000)
     * @throws Exception if a program fails or the timeout passes
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path file = Files.createTempFile("words", ".txt");
        try {
            writeWords(file, n, 42);
            for (String line : Curio.run(() -> countWords(file, Duration.ofSeconds(30)))) {
                System.out.println(line);
            }
        } finally {
            Files.delete(file);
        }
    }

    /**
     * Writes {@code n} words, one a line, chosen at random with {@code seed}.
     *
     * @param file where
     * @param n    how many
     * @param seed the random seed
     * @throws IOException if the file cannot be written
     */
    public static void writeWords(Path file, int n, long seed) throws IOException {
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(WORDS.get(random.nextInt(WORDS.size()))).append('\n');
        }
        Files.writeString(file, sb);
    }

    /**
     * Runs {@code sort file | uniq -c} and answers its lines (count, then word), stripped.
     *
     * @param file  the words
     * @param limit the time the pipeline may take; both programs are killed when it passes
     * @return the counts, one line per distinct word, in sorted order
     * @throws IOException        if a program cannot start or fails
     * @throws CancelledException if the task is cancelled or the limit passes
     */
    public static List<String> countWords(Path file, Duration limit) throws IOException, CancelledException {
        Subprocess sort = Subprocess.command("sort").stdin(Redirect.file(file)).stderr(Redirect.INHERIT).start();
        Subprocess uniq = Subprocess.command("uniq", "-c").stderr(Redirect.INHERIT).start();
        try {
            List<String> lines = new ArrayList<>();
            Timeouts.after(limit, () -> {
                try (TaskGroup<Object> group = TaskGroup.open()) {
                    group.spawn(() -> copy(sort.stdout(), uniq.stdin()));
                    group.spawn(() -> uniq.stdout().forEachLine(
                            line -> lines.add(new String(line, StandardCharsets.UTF_8).strip())));
                    group.join();
                    if (group.exceptions().stream().anyMatch(e -> e.isPresent())) {
                        throw new IOException("pipeline failed", group.exceptions().stream()
                                .flatMap(e -> e.stream()).findFirst().orElseThrow());
                    }
                }
                if (sort.waitFor() != 0 || uniq.waitFor() != 0) {
                    throw new IOException("sort or uniq failed: " + sort + ", " + uniq);
                }
            });
            return lines;
        } finally {
            for (Subprocess p : List.of(sort, uniq)) {
                p.closePipes();
                if (p.poll().isEmpty()) {                 // the timeout passed: stop and reap it
                    p.kill();
                    p.waitFor();
                }
            }
        }
    }

    private static void copy(ByteStream from, ByteStream to) throws IOException, CancelledException {
        while (true) {
            byte[] chunk = from.read(64 * 1024);
            if (chunk.length == 0) {
                to.close();                               // uniq sees end of input
                return;
            }
            to.write(chunk);
        }
    }
}
