package dev.runnel.jetty;

import dev.runnel.RequestContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A plain (non-SSE) request: its context and its body, already read.
 *
 * @param context method, path, query, headers and the rest
 * @param body the request body; empty for GET
 */
public record HttpRequest(RequestContext context, byte[] body) {

    /**
     * A field of an {@code application/x-www-form-urlencoded} body, else of the query string.
     */
    public Optional<String> form(String name) {
        String type = context.header("Content-Type").orElse("");
        if (body.length > 0 && type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)) {
            String value = formFields().get(name);
            if (value != null) {
                return Optional.of(value);
            }
        }
        return context.query(name);
    }

    private Map<String, String> formFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            fields.putIfAbsent(key, value);
        }
        return fields;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new dev.runnel.BadRequestException("malformed form encoding: " + e.getMessage());
        }
    }
}
