package dev.runnel.internal;

import java.util.Map;

/**
 * JSON for Runnel's own small control payloads (the reset event) when the application configured no
 * {@link dev.runnel.JsonCodec}: an object of string values, nothing more. Application values always
 * go through the codec.
 */
final class JsonText {

    private JsonText() {
    }

    static String object(Map<String, Object> fields) {
        StringBuilder sb = new StringBuilder("{");
        fields.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(',');
            }
            quote(sb, k);
            sb.append(':');
            if (v == null) {
                sb.append("null");
            } else {
                quote(sb, v.toString());
            }
        });
        return sb.append('}').toString();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
