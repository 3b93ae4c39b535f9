package dev.runnel.client.internal;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 decoding as the WHATWG Encoding standard does it, which the event stream format requires.
 *
 * <p>The JDK's decoder agrees with it on valid input and on every malformed sequence but one: for
 * an encoded surrogate ({@code ED A0..BF xx}) it writes one U+FFFD where the standard writes one
 * per byte. So: decode with the JDK, and only when the result holds a U+FFFD decode again here.
 */
final class Utf8 {

    private static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    static String decode(byte[] b, int from, int to) {
        if (from == to) {
            return "";
        }
        String text = new String(b, from, to - from, StandardCharsets.UTF_8);
        return text.indexOf(REPLACEMENT) < 0 ? text : whatwg(b, from, to);
    }

    /** The standard's UTF-8 decoder, with replacement. */
    static String whatwg(byte[] b, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        int codePoint = 0;
        int needed = 0;
        int seen = 0;
        int lower = 0x80;
        int upper = 0xBF;
        for (int i = from; i < to; i++) {
            int octet = b[i] & 0xFF;
            if (needed == 0) {
                if (octet <= 0x7F) {
                    out.append((char) octet);
                } else if (octet >= 0xC2 && octet <= 0xDF) {
                    needed = 1;
                    codePoint = octet & 0x1F;
                } else if (octet >= 0xE0 && octet <= 0xEF) {
                    lower = octet == 0xE0 ? 0xA0 : 0x80;
                    upper = octet == 0xED ? 0x9F : 0xBF;
                    needed = 2;
                    codePoint = octet & 0xF;
                } else if (octet >= 0xF0 && octet <= 0xF4) {
                    lower = octet == 0xF0 ? 0x90 : 0x80;
                    upper = octet == 0xF4 ? 0x8F : 0xBF;
                    needed = 3;
                    codePoint = octet & 0x7;
                } else {
                    out.append(REPLACEMENT);
                }
                continue;
            }
            if (octet < lower || octet > upper) {
                codePoint = 0;
                needed = 0;
                seen = 0;
                lower = 0x80;
                upper = 0xBF;
                out.append(REPLACEMENT);
                i--; // the byte starts over
                continue;
            }
            lower = 0x80;
            upper = 0xBF;
            codePoint = (codePoint << 6) | (octet & 0x3F);
            if (++seen == needed) {
                out.appendCodePoint(codePoint);
                codePoint = 0;
                needed = 0;
                seen = 0;
            }
        }
        if (needed != 0) {
            out.append(REPLACEMENT);
        }
        return out.toString();
    }
}
