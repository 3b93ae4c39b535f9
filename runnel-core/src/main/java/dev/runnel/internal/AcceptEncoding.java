package dev.runnel.internal;

import dev.runnel.compress.Compression;

import java.util.List;
import java.util.Locale;

/**
 * Chooses a stream's content coding from the request's {@code Accept-Encoding} (RFC 9110, 12.5.3):
 * the first of the server's codings, in the server's order, that the client accepts, by name or by
 * {@code *}, with a weight above zero. Names and parameters ignore case and surrounding spaces;
 * {@code x-gzip} is {@code gzip}; an element with a stray character is skipped, not the header, and
 * one whose weight cannot be read refuses its coding (as {@code q=0}). No header, or an empty one, accepts no coding: the stream goes uncompressed.
 */
public final class AcceptEncoding {

    private AcceptEncoding() {
    }

    /** The coding to send, or {@code null} for none, for the request's {@code Accept-Encoding} lines. */
    public static String choose(Compression compression, List<String> headerLines) {
        if (compression == null || compression.isOff() || headerLines == null || headerLines.isEmpty()) {
            return null;
        }
        for (String coding : compression.codings()) {
            if (weight(coding, headerLines) > 0) {
                return coding;
            }
        }
        return null;
    }

    /**
     * The weight, in thousandths, the header lines give {@code coding}: its own element's when named
     * (the first one counts), else {@code *}'s, else 0.
     */
    static int weight(String coding, List<String> headerLines) {
        int star = -1;
        for (String line : headerLines) {
            if (line == null) {
                continue;
            }
            for (String element : line.split(",", -1)) {
                int semi = element.indexOf(';');
                String name = (semi < 0 ? element : element.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
                if (name.equals("x-gzip")) {
                    name = "gzip";
                }
                if (name.isEmpty() || !isToken(name)) {
                    continue;
                }
                int q = semi < 0 ? 1000 : quality(element.substring(semi + 1));
                if (q < 0) {
                    q = 0; // unreadable: refused, the safer reading (no "*" brings the coding back)
                }
                if (name.equals(coding)) {
                    return q;
                }
                if (name.equals("*") && star < 0) {
                    star = q;
                }
            }
        }
        return Math.max(star, 0);
    }

    /** The weight in thousandths from an element's parameters ({@code q=0.5}), 1000 without one, -1 when unreadable. */
    private static int quality(String parameters) {
        int q = 1000;
        for (String parameter : parameters.split(";", -1)) {
            String p = parameter.strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                return -1;
            }
            String key = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (key.equals("q")) {
                q = qvalue(p.substring(eq + 1).strip());
                if (q < 0) {
                    return -1;
                }
            }
        }
        return q;
    }

    /** {@code 0}, {@code 0.5}, {@code 1.000} in thousandths; -1 for anything else. */
    private static int qvalue(String v) {
        if (v.isEmpty() || v.length() > 5 || (v.charAt(0) != '0' && v.charAt(0) != '1')) {
            return -1;
        }
        int whole = v.charAt(0) - '0';
        if (v.length() == 1) {
            return whole * 1000;
        }
        if (v.charAt(1) != '.') {
            return -1;
        }
        int thousandths = 0;
        int scale = 100;
        for (int i = 2; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            thousandths += (c - '0') * scale;
            scale /= 10;
        }
        int q = whole * 1000 + thousandths;
        return q > 1000 ? -1 : q;
    }

    private static boolean isToken(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
