package org.curio.workers;

import java.nio.file.Path;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Where one of a child's standard streams goes: a pipe the task reads or writes, the parent's own
 * stream, {@code /dev/null}, a file, or (for stderr) wherever stdout goes. Curio: the {@code stdin},
 * {@code stdout} and {@code stderr} arguments of {@code Popen} ({@code PIPE}, {@code DEVNULL},
 * {@code STDOUT}, a file).
 *
 * {@snippet :
 * Subprocess.command("make").stdout(Redirect.to(Path.of("build.log"))).stderr(Redirect.STDOUT).run();
 * }
 */
public final class Redirect {
    /** A pipe: the process object's {@code stdin()}, {@code stdout()} or {@code stderr()} stream. */
    public static final Redirect PIPE = new Redirect(Kind.PIPE, null);
    /** The parent's own stream. */
    public static final Redirect INHERIT = new Redirect(Kind.INHERIT, null);
    /** {@code /dev/null}: input at end, output discarded. */
    public static final Redirect DISCARD = new Redirect(Kind.DISCARD, null);
    /** For stderr only: the same place as stdout. */
    public static final Redirect STDOUT = new Redirect(Kind.STDOUT, null);

    /** The kinds; {@code Subprocess} maps them onto the spawner's. */
    enum Kind { PIPE, INHERIT, DISCARD, FILE, APPEND, STDOUT }

    private final Kind kind;
    private final @Nullable Path path;

    private Redirect(Kind kind, @Nullable Path path) {
        this.kind = kind;
        this.path = path;
    }

    /**
     * {@return a file: read from, for stdin; created or truncated and written, for stdout and stderr}
     *
     * @param file the file
     */
    public static Redirect file(Path file) {
        return new Redirect(Kind.FILE, Objects.requireNonNull(file, "file"));
    }

    /**
     * {@return a file created if missing and appended to (for stdout and stderr)}
     *
     * @param file the file
     */
    public static Redirect appendTo(Path file) {
        return new Redirect(Kind.APPEND, Objects.requireNonNull(file, "file"));
    }

    Kind kind() {
        return kind;
    }

    @Nullable Path path() {
        return path;
    }

    @Override
    public String toString() {
        return path == null ? kind.name() : kind + "(" + path + ")";
    }
}
