package org.curio.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;

import org.curio.kernel.CoroutineBackend;
import org.curio.kernel.Kernel;
import org.junit.jupiter.api.Test;

/** The suite runs on the backend the build asked for, so both backends are really exercised. */
class BackendTest {
    /** A kernel built with the default backend uses the one named by -Dorg.curio.backend. */
    @Test
    void runsOnTheRequestedBackend() {
        String requested = System.getProperty("org.curio.backend", "auto").toUpperCase(Locale.ROOT);
        try (Kernel kernel = Kernel.create()) {
            if (!requested.equals("AUTO")) {
                assertEquals(CoroutineBackend.valueOf(requested), kernel.backend());
            }
            System.out.println("curio-sync suite on the " + kernel.backend() + " backend");
        }
    }
}
