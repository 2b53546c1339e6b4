package org.curio.io.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Reading the system's backlog limit: a positive number, or nothing (and the fallback is used). */
class SomaxconnTest {
    /** The file's number is read with its newline; anything else gives nothing. */
    @Test
    void parsesThePositiveNumberOnly() {
        assertEquals(Optional.of(4096), Somaxconn.parse("4096\n"));
        assertEquals(Optional.of(128), Somaxconn.parse(" 128 "));
        assertEquals(Optional.empty(), Somaxconn.parse(""));
        assertEquals(Optional.empty(), Somaxconn.parse("0\n"));
        assertEquals(Optional.empty(), Somaxconn.parse("-1"));
        assertEquals(Optional.empty(), Somaxconn.parse("lots"));
        assertEquals(4096, Somaxconn.FALLBACK);
    }
}
