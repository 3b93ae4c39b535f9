package dev.runnel;

import java.nio.charset.StandardCharsets;

/**
 * The one SSE encoder: turns an {@link SseEvent} or a comment into UTF-8 wire bytes.
 *
 * <p>Field order is {@code event}, {@code id}, {@code retry}, then one {@code data: } line per line
 * of data (CRLF and lone CR count as LF), then a blank line. Encoding measures the exact output size
 * first and then writes each character once into a single array, so the payload is copied once.
 * Unpaired surrogates are written as {@code ?}, as {@link String#getBytes} does.
 *
 * <p>Thread-safe: it has no state.
 */
public final class SseEncoder {

    private static final byte[] EVENT = ascii("event: ");
    private static final byte[] ID = ascii("id: ");
    private static final byte[] RETRY = ascii("retry: ");
    private static final byte[] DATA = ascii("data: ");
    private static final byte[] HEARTBEAT = ascii(": heartbeat\n\n");

    private SseEncoder() {
    }

    /** The wire bytes of one event. */
    public static byte[] encode(SseEvent event) {
        String data = event.data();
        String name = event.event();
        String id = event.id();
        String retry = event.retry() == null ? null : Long.toString(event.retry());

        int size = 1; // the blank line that ends the event
        if (name != null) {
            size += EVENT.length + utf8Length(name, 0, name.length()) + 1;
        }
        if (id != null) {
            size += ID.length + utf8Length(id, 0, id.length()) + 1;
        }
        if (retry != null) {
            size += RETRY.length + retry.length() + 1;
        }
        int lines = dataLineCount(data);
        size += lines * (DATA.length + 1) + utf8Length(data, 0, data.length()) - lineBreakChars(data);

        byte[] out = new byte[size];
        int p = 0;
        if (name != null) {
            p = field(out, p, EVENT, name);
        }
        if (id != null) {
            p = field(out, p, ID, id);
        }
        if (retry != null) {
            p = field(out, p, RETRY, retry);
        }
        p = dataLines(out, p, data);
        out[p++] = '\n';
        if (p != size) {
            throw new IllegalStateException("SSE encoder size mismatch: measured " + size + ", wrote " + p);
        }
        return out;
    }

    /** The heartbeat comment {@code : heartbeat} followed by a blank line. */
    public static byte[] heartbeat() {
        return HEARTBEAT.clone();
    }

    /**
     * A comment block: every line of {@code text} becomes a line starting with {@code ": "}, then a
     * blank line. Browsers ignore comments; they keep proxies and idle timers from closing the stream.
     */
    public static byte[] comment(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (String line : text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1)) {
            sb.append(": ").append(line).append('\n');
        }
        return sb.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Number of lines {@code data} is split into: line breaks plus one (CRLF counts once). */
    static int dataLineCount(String data) {
        int lines = 1;
        for (int i = 0, n = data.length(); i < n; i++) {
            char c = data.charAt(i);
            if (c == '\n') {
                lines++;
            } else if (c == '\r') {
                lines++;
                if (i + 1 < n && data.charAt(i + 1) == '\n') {
                    i++;
                }
            }
        }
        return lines;
    }

    /** Number of chars that are part of line breaks (CR and LF), all dropped from the output. */
    private static int lineBreakChars(String data) {
        int count = 0;
        for (int i = 0, n = data.length(); i < n; i++) {
            char c = data.charAt(i);
            if (c == '\n' || c == '\r') {
                count++;
            }
        }
        return count;
    }

    private static int field(byte[] out, int p, byte[] prefix, String value) {
        System.arraycopy(prefix, 0, out, p, prefix.length);
        p = utf8(out, p + prefix.length, value, 0, value.length());
        out[p++] = '\n';
        return p;
    }

    private static int dataLines(byte[] out, int p, String data) {
        int n = data.length();
        int start = 0;
        while (true) {
            int end = start;
            while (end < n) {
                char c = data.charAt(end);
                if (c == '\n' || c == '\r') {
                    break;
                }
                end++;
            }
            System.arraycopy(DATA, 0, out, p, DATA.length);
            p = utf8(out, p + DATA.length, data, start, end);
            out[p++] = '\n';
            if (end >= n) {
                return p;
            }
            start = end + 1;
            if (data.charAt(end) == '\r' && start < n && data.charAt(start) == '\n') {
                start++;
            }
        }
    }

    /** UTF-8 byte length of {@code s[from, to)}, line breaks included. */
    private static int utf8Length(String s, int from, int to) {
        int len = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                len++;
            } else if (c < 0x800) {
                len += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                len += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                len++; // written as '?'
            } else {
                len += 3;
            }
        }
        return len;
    }

    private static int utf8(byte[] out, int p, String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[p++] = (byte) c;
            } else if (c < 0x800) {
                out[p++] = (byte) (0xC0 | (c >> 6));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[p++] = (byte) (0xF0 | (cp >> 18));
                out[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                out[p++] = '?';
            } else {
                out[p++] = (byte) (0xE0 | (c >> 12));
                out[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return p;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
