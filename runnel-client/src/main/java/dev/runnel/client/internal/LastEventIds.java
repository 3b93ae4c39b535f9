package dev.runnel.client.internal;

/**
 * Which last event ids the client can send back exactly. The JDK {@code HttpClient} refuses a
 * header value with control characters (other than tab) or DEL, and over HTTP/1.1 writes every
 * character above {@code 0x7E} as {@code ?} (HTTP/2 would send 0x80-0xFF as bytes, but the
 * protocol of the next connection is not known in advance: an {@code http} URI's first request
 * always goes as HTTP/1.1). And a server strips a value's leading and trailing spaces and tabs.
 * So an id goes out exactly when it is visible ASCII with spaces or tabs only inside it.
 */
public final class LastEventIds {

    private LastEventIds() {
    }

    /** True when {@code id} is non-empty and reaches the server byte for byte as {@code Last-Event-ID}. */
    public static boolean sendable(String id) {
        int n = id.length();
        if (n == 0 || isBlank(id.charAt(0)) || isBlank(id.charAt(n - 1))) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (!(c >= 0x21 && c <= 0x7E) && !isBlank(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code id} in quotes for a log line, with everything but visible ASCII and space escaped as {@code \\uXXXX}. */
    public static String quoted(String id) {
        StringBuilder out = new StringBuilder(id.length() + 2).append('"');
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c >= 0x20 && c <= 0x7E && c != '\\' && c != '"') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04X", (int) c));
            }
        }
        return out.append('"').toString();
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
