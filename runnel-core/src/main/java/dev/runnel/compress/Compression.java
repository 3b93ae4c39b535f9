package dev.runnel.compress;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Which content codings a stream may be sent with, in the server's order of preference, and each
 * coding's window and level. {@link #OFF} (the default) sends every stream as it is.
 *
 * <p>A stream with codings is compressed when the request's {@code Accept-Encoding} accepts one of
 * them: the first of {@link #codings()} the client accepts is used, whatever order or weights the
 * client gives; a client that sends no {@code Accept-Encoding}, or accepts none of them, gets the
 * stream uncompressed. Every write (a batch of events, a heartbeat) ends with a flush that keeps the
 * window, so a compressed stream is as prompt as a plain one. The compressor is per connection:
 * events are encoded once for all subscribers, then compressed once per connection.
 *
 * <pre>{@code
 * hub.subscribe(request, "prices").withCompression(Compression.of("zstd", "gzip"))
 * }</pre>
 *
 * <p>Security: compressed sizes depend on content. A stream that carries a secret (a token, private
 * data) together with text an attacker can influence (a chat message, a search term echoed back)
 * can leak the secret through the sizes of its events, as in BREACH. Keep such streams uncompressed.
 *
 * <p>Every name and setting is checked here, when the stream, route or server is configured: a
 * coding no module provides ({@code zstd} needs {@code runnel-zstd} on the class path), or a window
 * or level outside the coding's range, throws {@link IllegalArgumentException} naming the field, the
 * value and the range.
 *
 * @param codings coding names, lower case, in the server's order of preference; empty for off
 * @param windowLogs base-2 logarithm of the window in bytes, by coding; a coding not named here
 *     gets its {@link ContentCoding#defaultWindowLog() default}
 * @param levels compression level, by coding; a coding not named here gets its
 *     {@link ContentCoding#defaultLevel() default}
 */
public record Compression(List<String> codings, Map<String, Integer> windowLogs, Map<String, Integer> levels) {

    /** No compression: every stream is sent as it is. The default. */
    public static final Compression OFF = new Compression(List.of(), Map.of(), Map.of());

    public Compression {
        List<String> names = new ArrayList<>();
        for (String coding : Objects.requireNonNull(codings, "codings")) {
            String name = normalized(coding);
            if (name.equals("identity")) {
                throw new IllegalArgumentException("Compression.codings: \"identity\" is not a compression; a stream is sent "
                        + "uncompressed to every client that accepts none of the codings");
            }
            if (names.contains(name)) {
                throw new IllegalArgumentException("Compression.codings: \"" + name + "\" is named twice");
            }
            coding(name); // fails for a coding no module provides
            names.add(name);
        }
        codings = List.copyOf(names);
        windowLogs = checked("windowLog", windowLogs, names, true);
        levels = checked("level", levels, names, false);
    }

    /**
     * Compression with these codings, in the server's order of preference: {@code of("zstd", "gzip")}
     * sends zstd to clients that accept it and gzip to those that accept only gzip.
     *
     * @throws IllegalArgumentException for a coding no module provides, naming the module that does
     */
    public static Compression of(String... codings) {
        return new Compression(List.of(codings), Map.of(), Map.of());
    }

    /**
     * A copy whose {@code coding} uses a window of {@code 2^windowLog} bytes: a larger window finds
     * more repeats and costs each connection more memory.
     *
     * @throws IllegalArgumentException when {@code coding} is not one of {@link #codings()} or the
     *     value is outside its range
     */
    public Compression withWindowLog(String coding, int windowLog) {
        Map<String, Integer> more = new LinkedHashMap<>(windowLogs);
        more.put(normalized(coding), windowLog);
        return new Compression(codings, more, levels);
    }

    /**
     * A copy whose {@code coding} compresses at {@code level} (the coding's own scale: higher is
     * smaller and slower).
     *
     * @throws IllegalArgumentException when {@code coding} is not one of {@link #codings()} or the
     *     value is outside its range
     */
    public Compression withLevel(String coding, int level) {
        Map<String, Integer> more = new LinkedHashMap<>(levels);
        more.put(normalized(coding), level);
        return new Compression(codings, windowLogs, more);
    }

    /** True when no coding is set: streams are sent uncompressed. */
    public boolean isOff() {
        return codings.isEmpty();
    }

    /** The window's base-2 logarithm {@code coding} is opened with. */
    public int windowLog(String coding) {
        String name = normalized(coding);
        Integer set = windowLogs.get(name);
        return set != null ? set : coding(name).defaultWindowLog();
    }

    /** The level {@code coding} is opened with. */
    public int level(String coding) {
        String name = normalized(coding);
        Integer set = levels.get(name);
        return set != null ? set : coding(name).defaultLevel();
    }

    private static ContentCoding coding(String name) {
        return ContentCodings.find(name).orElseThrow(() -> new IllegalArgumentException(
                "Compression.codings: unknown content coding \"" + name + "\"; " + ContentCodings.whereToFind(name)));
    }

    private static Map<String, Integer> checked(String field, Map<String, Integer> values, List<String> names, boolean window) {
        Map<String, Integer> out = new LinkedHashMap<>();
        Objects.requireNonNull(values, field + "s").forEach((key, value) -> {
            String name = normalized(key);
            if (!names.contains(name)) {
                throw new IllegalArgumentException("Compression." + field + ": \"" + name + "\" is not one of the codings " + names);
            }
            Objects.requireNonNull(value, field);
            ContentCoding c = coding(name);
            int min = window ? c.minWindowLog() : c.minLevel();
            int max = window ? c.maxWindowLog() : c.maxLevel();
            if (value < min || value > max) {
                throw new IllegalArgumentException("Compression." + field + " of " + name + " must be from " + min + " to " + max
                        + ", got " + value);
            }
            out.put(name, value);
        });
        return Collections.unmodifiableMap(out);
    }

    private static String normalized(String coding) {
        if (coding == null || coding.isBlank()) {
            throw new IllegalArgumentException("Compression.codings: a coding name must not be null or blank");
        }
        return coding.strip().toLowerCase(Locale.ROOT);
    }
}
