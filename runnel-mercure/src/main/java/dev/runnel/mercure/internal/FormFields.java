package dev.runnel.mercure.internal;

import dev.runnel.BadRequestException;

import java.net.URLDecoder;
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
     * @throws BadRequestException for a malformed percent-encoding
     */
    public static FormFields parse(byte[] body) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
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

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("malformed form encoding: " + e.getMessage());
        }
    }
}
