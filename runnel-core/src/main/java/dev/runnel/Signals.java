package dev.runnel;

import java.util.Map;

/**
 * Values for the page's reactive state: Datastar's signals. Sent as JSON through the engine's
 * {@link JsonCodec}; the Datastar dialects send {@code datastar-patch-signals} (or
 * {@code datastar-merge-signals} on the beta), the htmx dialects the JSON under the stream's default
 * event name.
 *
 * @param values the signals, by name; nested maps for nested signals; a {@code null} value removes one
 *     (Datastar 1.0)
 * @param onlyIfMissing set only signals the page does not have yet
 */
public record Signals(Map<String, Object> values, boolean onlyIfMissing) {

    public Signals {
        values = values == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }

    /** Signals that overwrite what the page has. */
    public static Signals of(Map<String, ?> values) {
        return new Signals(new java.util.LinkedHashMap<String, Object>(values), false);
    }
}
