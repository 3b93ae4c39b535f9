package dev.runnel;

import dev.runnel.compress.Compression;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Per-stream settings. Every field has a default; {@link #DEFAULTS} is what a stream gets when the
 * application sets nothing.
 *
 * @param defaultEvent event name for values that carry none (strings, JSON, untargeted fragments);
 *     {@code null} means the browser's {@code message}
 * @param heartbeat how long the stream may stay silent before a heartbeat comment is written; 1 s
 *     to 300 s, default 15 s
 * @param allowedOrigin the one origin allowed to read the stream cross-origin, or {@code null}
 *     (the default) for same-origin only: then no {@code Access-Control-Allow-Origin} is sent
 * @param retry when set, overrides the engine's retry meta event for this stream
 * @param headers extra response headers, sent after the SSE headers
 * @param dialect how fragments are framed for the page's library; {@code null} (the default) picks
 *     it from the request's headers ({@link Dialect#detect})
 * @param endAt when set, the stream ends cleanly at this instant (as at the engine's maximum stream
 *     age, without the close event): for a stream whose authorization expires; {@code null} for none
 * @param retryEvent whether the stream starts with the retry meta event ({@code runnel:meta}) when
 *     {@link #retry} or the engine sets one; default true. False for protocols that define every
 *     event their clients receive (Mercure)
 * @param compression the content codings the stream may be sent with, chosen from the request's
 *     {@code Accept-Encoding}; {@link Compression#OFF} (the default) sends it uncompressed
 */
public record StreamOptions(String defaultEvent, Duration heartbeat, String allowedOrigin, Duration retry,
                            Map<String, String> headers, Dialect dialect, Instant endAt, boolean retryEvent,
                            Compression compression) {

    /** Smallest heartbeat interval allowed. */
    public static final Duration MIN_HEARTBEAT = Duration.ofSeconds(1);
    /** Largest heartbeat interval allowed. */
    public static final Duration MAX_HEARTBEAT = Duration.ofSeconds(300);
    /** Heartbeat interval when none is set. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);

    /** The options of earlier releases, with no end time and the retry event on. */
    public StreamOptions(String defaultEvent, Duration heartbeat, String allowedOrigin, Duration retry,
                         Map<String, String> headers, Dialect dialect) {
        this(defaultEvent, heartbeat, allowedOrigin, retry, headers, dialect, null, true, Compression.OFF);
    }

    /** The options before compression, which they leave off. */
    public StreamOptions(String defaultEvent, Duration heartbeat, String allowedOrigin, Duration retry,
                         Map<String, String> headers, Dialect dialect, Instant endAt, boolean retryEvent) {
        this(defaultEvent, heartbeat, allowedOrigin, retry, headers, dialect, endAt, retryEvent, Compression.OFF);
    }

    /** Options with every default. */
    public static final StreamOptions DEFAULTS = new StreamOptions(null, DEFAULT_HEARTBEAT, null, null, Map.of(), null, null, true, Compression.OFF);

    public StreamOptions {
        if (defaultEvent != null) {
            if (defaultEvent.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException("StreamOptions.defaultEvent must not contain CR, LF or NUL");
            }
            defaultEvent = defaultEvent.isEmpty() ? null : defaultEvent;
        }
        heartbeat = heartbeat == null ? DEFAULT_HEARTBEAT : heartbeat;
        compression = compression == null ? Compression.OFF : compression;
        requireHeartbeat(heartbeat);
        if (allowedOrigin != null) {
            requireHeaderValue("allowedOrigin", allowedOrigin);
        }
        if (retry != null && retry.isNegative()) {
            throw new IllegalArgumentException("StreamOptions.retry must be >= 0, got " + retry);
        }
        headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        headers.forEach((name, value) -> {
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
                throw new IllegalArgumentException("StreamOptions.headers: invalid header name \"" + name + '"');
            }
            requireHeaderValue("header " + name, value);
        });
    }

    /**
     * @throws IllegalArgumentException unless {@code heartbeat} is from 1 s to 300 s
     */
    public static Duration requireHeartbeat(Duration heartbeat) {
        if (heartbeat.compareTo(MIN_HEARTBEAT) < 0 || heartbeat.compareTo(MAX_HEARTBEAT) > 0) {
            throw new IllegalArgumentException("heartbeat must be from 1 s to 300 s, got " + seconds(heartbeat));
        }
        return heartbeat;
    }

    public StreamOptions withDefaultEvent(String name) {
        return new StreamOptions(name, heartbeat, allowedOrigin, retry, headers, dialect, endAt, retryEvent, compression);
    }

    public StreamOptions withHeartbeat(Duration interval) {
        return new StreamOptions(defaultEvent, interval, allowedOrigin, retry, headers, dialect, endAt, retryEvent, compression);
    }

    public StreamOptions withAllowedOrigin(String origin) {
        return new StreamOptions(defaultEvent, heartbeat, origin, retry, headers, dialect, endAt, retryEvent, compression);
    }

    public StreamOptions withRetry(Duration delay) {
        return new StreamOptions(defaultEvent, heartbeat, allowedOrigin, delay, headers, dialect, endAt, retryEvent, compression);
    }

    public StreamOptions withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new StreamOptions(defaultEvent, heartbeat, allowedOrigin, retry, more, dialect, endAt, retryEvent, compression);
    }

    public StreamOptions withDialect(Dialect chosen) {
        return new StreamOptions(defaultEvent, heartbeat, allowedOrigin, retry, headers, chosen, endAt, retryEvent, compression);
    }

    /** Ends the stream at {@code instant} ({@code null}: no end time); see {@link #endAt()}. */
    public StreamOptions withEndAt(Instant instant) {
        return new StreamOptions(defaultEvent, heartbeat, allowedOrigin, retry, headers, dialect, instant, retryEvent, compression);
    }

    /** Sends no retry meta event on this stream, whatever the engine's setting; see {@link #retryEvent()}. */
    public StreamOptions withoutRetryEvent() {
        return new StreamOptions(defaultEvent, heartbeat, allowedOrigin, retry, headers, dialect, endAt, false, compression);
    }

    /**
     * Sends the stream compressed with the first of {@code chosen}'s codings the client accepts
     * ({@link Compression#OFF}: uncompressed); see {@link Compression}.
     */
    public StreamOptions withCompression(Compression chosen) {
        return new StreamOptions(defaultEvent, heartbeat, allowedOrigin, retry, headers, dialect, endAt, retryEvent, chosen);
    }

    private static void requireHeaderValue(String field, String value) {
        if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw new IllegalArgumentException("StreamOptions." + field + " must not contain CR, LF or NUL");
        }
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f s", d.toNanos() / 1e9).replace(".000 s", " s");
    }
}
