package dev.runnel.mercure.internal;

import dev.runnel.BadRequestException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of an {@code application/x-www-form-urlencoded} body, every value of a repeated name
 * kept in order (Mercure repeats {@code topic}). A name without {@code =} has the empty value, as
 * HTML forms send it.
 */
public final class FormFields {

    private final Map<String, List<String>> fields;

    private FormFields(Map<String, List<String>> fields) {
        this.fields = fields;
    }

    /**
     * Parses {@code body}.
     *
     * @throws BadRequestException for a malformed percent-encoding, or bytes (raw or percent-encoded)
     *     that are not UTF-8
     */
    public static FormFields parse(byte[] body) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String pair : utf8(body).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            fields.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return new FormFields(fields);
    }

    /** Every value of {@code name}, in order; empty when absent. */
    public List<String> all(String name) {
        return fields.getOrDefault(name, List.of());
    }

    /** The first value of {@code name}, or {@code null} when absent. */
    public String first(String name) {
        List<String> values = fields.get(name);
        return values == null ? null : values.getFirst();
    }

    /** Whether {@code name} was sent, with any value (even empty). */
    public boolean has(String name) {
        return fields.containsKey(name);
    }

    /** Form-decodes one name or value: {@code +} is a space, {@code %XX} a byte; the bytes must be UTF-8. */
    private static String decode(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new BadRequestException("malformed form encoding: '%' must be followed by two hex digits");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+') {
                bytes.write(' ');
            } else {
                int codePoint = s.codePointAt(i); // a pair of surrogates stays one character
                bytes.writeBytes(Character.toString(codePoint).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint) - 1;
            }
        }
        return utf8(bytes.toByteArray());
    }

    /** The bytes as UTF-8; a publish whose bytes are not is refused, never changed. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequestException("malformed form encoding: the bytes are not UTF-8");
        }
    }
}
