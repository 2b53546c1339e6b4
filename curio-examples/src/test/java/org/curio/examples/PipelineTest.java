package org.curio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.curio.kernel.Kernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline example counts what a plain count in Java counts. */
class PipelineTest {
    /** sort | uniq -c over a generated file gives each word's count, in sorted order. */
    @Test
    void countsMatch(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("words.txt");
        Pipeline.writeWords(file, 20_000, 1);
        Map<String, Long> expected = new TreeMap<>(Files.readAllLines(file).stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting())));
        List<String> lines;
        try (Kernel kernel = Kernel.create()) {
            lines = kernel.run(() -> Pipeline.countWords(file, Duration.ofSeconds(20)));
        }
        assertEquals(expected.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList(), lines);
    }
}
