package org.curio.kernel.internal.monitor;

/** Just enough JSON writing for the MBean's answers. */
final class Json {
    private Json() {}

    /** Appends {@code s} as a JSON string. */
    static StringBuilder string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    /** {@return nanoseconds as seconds for JSON, or {@code null} when negative (none)} */
    static String seconds(long nanos) {
        return nanos < 0 ? "null" : java.math.BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }
}
