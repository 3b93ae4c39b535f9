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

        // One pass over the data: its UTF-8 size without line breaks, its line count, and whether
        // it is pure ASCII (then each line is copied with a bulk char-to-byte copy).
        int n = data.length();
        int lines = 1;
        int dataBytes = 0;
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            char c = data.charAt(i);
            if (c < 0x80) {
                if (c <= '\r' && (c == '\n' || c == '\r')) {
                    lines++;
                    if (c == '\r' && i + 1 < n && data.charAt(i + 1) == '\n') {
                        i++;
                    }
                } else {
                    dataBytes++;
                }
            } else {
                ascii = false;
                if (c < 0x800) {
                    dataBytes += 2;
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(data.charAt(i + 1))) {
                    dataBytes += 4;
                    i++;
                } else if (Character.isSurrogate(c)) {
                    dataBytes++; // written as '?'
                } else {
                    dataBytes += 3;
                }
            }
        }

        int size = 1 + lines * (DATA.length + 1) + dataBytes; // data lines and the blank line
        if (name != null) {
            size += EVENT.length + utf8Length(name, 0, name.length()) + 1;
        }
        if (id != null) {
            size += ID.length + utf8Length(id, 0, id.length()) + 1;
        }
        if (retry != null) {
            size += RETRY.length + retry.length() + 1;
        }

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
        p = dataLines(out, p, data, ascii);
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

    private static int field(byte[] out, int p, byte[] prefix, String value) {
        System.arraycopy(prefix, 0, out, p, prefix.length);
        p = utf8(out, p + prefix.length, value, 0, value.length());
        out[p++] = '\n';
        return p;
    }

    private static int dataLines(byte[] out, int p, String data, boolean ascii) {
        int n = data.length();
        int start = 0;
        // next LF and CR at or after start (ASCII path only); String.indexOf is vectorised by the JDK
        int lf = ascii ? data.indexOf('\n') : -1;
        int cr = ascii ? data.indexOf('\r') : -1;
        while (true) {
            int end;
            if (ascii) {
                end = Math.min(lf < 0 ? n : lf, cr < 0 ? n : cr);
            } else {
                end = start;
                while (end < n && data.charAt(end) != '\n' && data.charAt(end) != '\r') {
                    end++;
                }
            }
            System.arraycopy(DATA, 0, out, p, DATA.length);
            p += DATA.length;
            p = ascii ? asciiCopy(out, p, data, start, end) : utf8(out, p, data, start, end);
            out[p++] = '\n';
            if (end >= n) {
                return p;
            }
            start = end + 1;
            if (data.charAt(end) == '\r' && start < n && data.charAt(start) == '\n') {
                start++;
            }
            if (ascii) {
                if (lf >= 0 && lf < start) {
                    lf = data.indexOf('\n', start);
                }
                if (cr >= 0 && cr < start) {
                    cr = data.indexOf('\r', start);
                }
            }
        }
    }

    /** Copies ASCII chars {@code [from, to)} as bytes: a bulk copy for the JDK's compact strings. */
    @SuppressWarnings("deprecation")
    private static int asciiCopy(byte[] out, int p, String s, int from, int to) {
        s.getBytes(from, to, out, p);
        return p + (to - from);
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
