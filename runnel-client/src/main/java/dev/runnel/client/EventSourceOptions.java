package dev.runnel.client;

import dev.runnel.client.internal.LastEventIds;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of an {@link EventSource}. Every field has a default; {@link #DEFAULTS} is what a source
 * gets when the application sets nothing: reconnect like a browser, forever.
 *
 * <p>Reconnection: when a stream ends or breaks, or an attempt gets no connection or no response,
 * the source waits and reconnects with {@code Last-Event-ID}. The first time in a row it waits the
 * reconnection time (the server's last {@code retry} field, else {@link #retry()}), but at least
 * {@link #minRetryDelay()}, even for {@code retry: 0}, and at most {@link #maxRetryDelay()}, even
 * for a {@code retry} of years. Each further time in a row it backs off with
 * jitter: the n-th waits a random time from {@code b × 2^(n-2)} to {@code b × 2^(n-1)}, where
 * {@code b} is that first wait (but at least 100 ms for the doubling), capped at
 * {@link #maxRetryDelay()} and never less than the first wait. Only a stream that stayed open for
 * {@link #backoffResetAfter()} resets the count, so a server that accepts and soon closes or resets
 * every stream is reconnected ever more slowly, like one that refuses connections. A {@code 204},
 * any other status but {@code 200} (after following up to five redirects), or a
 * {@code Content-Type} other than {@code text/event-stream} ends the source for good, as in a
 * browser.
 *
 * @param headers extra request headers; {@code Accept: text/event-stream} and
 *     {@code Cache-Control: no-cache} are sent unless overridden here. A {@code Last-Event-ID}
 *     here acts as {@code lastEventId} (which wins if both are set), and follows the same rule
 * @param lastEventId the id to send as {@code Last-Event-ID} on the first connection, {@code ""}
 *     (the default) for none; later connections send the last id the stream gave. It must be
 *     visible ASCII with spaces or tabs only inside, what the JDK client can send exactly (an id
 *     the stream gives that is not is left out of a reconnect, and the listener is told: see
 *     {@link EventSourceListener#onLastEventIdNotSent})
 * @param reconnect whether to reconnect when the stream ends or fails; default {@code true}.
 *     Off, the source follows one stream and ends with it
 * @param retry the reconnection time until the server sends a {@code retry} field; default 3 s
 * @param minRetryDelay the shortest wait before any reconnect, whatever the server's {@code retry};
 *     default 100 ms; zero for none
 * @param maxRetryDelay the longest wait before a reconnect: the backoff grows up to this, and a
 *     larger reconnection time (the server's {@code retry}, or {@code retry} here) is cut to it;
 *     default 30 s. A {@code minRetryDelay} above it wins
 * @param backoffResetAfter how long a stream must stay open for the backoff to start again from the
 *     reconnection time; default 60 s. Zero resets it whenever a stream opens, as a browser does
 * @param maxAttempts failed connection attempts in a row after which the source gives up; 0 (the
 *     default) for no limit. An attempt that gets a stream starts the count again, however soon
 *     that stream breaks, so against a server that accepts and then drops every stream a limit
 *     above 1 never trips (the backoff still slows such reconnects down)
 * @param connectTimeout how long to wait for the connection and the response headers; default 10 s
 * @param readTimeout how long an open stream may go without completing a line (an event's field,
 *     a comment such as a heartbeat, an empty line) before the source drops it and reconnects with
 *     {@code Last-Event-ID}, as after a network that lost the connection without a word. It counts
 *     from the last complete line, not the last byte, so bytes that trickle in without ending a line
 *     do not keep a stream alive (one line must arrive whole within it); time the listener or the
 *     iterating caller spends on what was delivered does not count. Default 45 s, three of
 *     Runnel's 15 s heartbeats. Keep it above the server's heartbeat interval; zero for no limit
 *     (for a server that sends no heartbeat)
 * @param maxLineSize largest line in bytes, terminator excluded; default 1 MiB
 * @param maxEventSize largest data of one event in bytes (UTF-8, lines joined with LF); default 4 MiB
 * @param httpClient the client to use, or {@code null} (the default) for one the source creates
 *     and shuts down when it closes. A client given here is shared and left open: give one to
 *     many sources to share its connections and threads
 * @param acceptEncoding whether to send {@code Accept-Encoding} naming the codings this client
 *     decodes: {@code gzip}, and {@code zstd} when zstd-jni ({@code com.github.luben:zstd-jni}) is on
 *     the class path; default {@code true}. A compressed stream costs the client little and saves
 *     most of the traffic, and a server only compresses when it was configured to. An
 *     {@code Accept-Encoding} among {@code headers} is sent instead. Whatever this says, a response
 *     coded with gzip or (with zstd-jni) zstd is decoded, event by event as its flushed bytes
 *     arrive; a coding the client cannot decode ends the source with {@link StreamEnd.Failed}
 */
public record EventSourceOptions(Map<String, String> headers, String lastEventId, boolean reconnect,
                                 Duration retry, Duration minRetryDelay, Duration maxRetryDelay,
                                 Duration backoffResetAfter, int maxAttempts, Duration connectTimeout,
                                 Duration readTimeout, int maxLineSize, int maxEventSize, HttpClient httpClient,
                                 boolean acceptEncoding) {

    /** Every default. */
    public static final EventSourceOptions DEFAULTS = new EventSourceOptions(Map.of(), "", true,
            Duration.ofSeconds(3), Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofSeconds(60), 0,
            Duration.ofSeconds(10), Duration.ofSeconds(45), 1 << 20, 4 << 20, null, true);

    public EventSourceOptions {
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        HttpRequest.Builder probe = HttpRequest.newBuilder(URI.create("http://probe.invalid/"));
        headers.forEach((name, value) -> {
            if (name != null && value != null && name.equalsIgnoreCase("Last-Event-ID") && !value.isEmpty()
                    && !LastEventIds.sendable(value)) {
                throw new IllegalArgumentException("EventSourceOptions.headers: a Last-Event-ID must be visible ASCII"
                        + " (0x21-0x7E), with spaces or tabs only inside, to be sent exactly by the JDK HttpClient; got "
                        + LastEventIds.quoted(value) + " (or give the id as EventSourceOptions.lastEventId)");
            }
            try {
                probe.header(name, value);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("EventSourceOptions.headers: cannot send header \"" + name + "\": "
                        + e.getMessage(), e);
            }
        });
        lastEventId = lastEventId == null ? "" : lastEventId;
        if (!lastEventId.isEmpty() && !LastEventIds.sendable(lastEventId)) {
            throw new IllegalArgumentException("EventSourceOptions.lastEventId must be visible ASCII (0x21-0x7E), with spaces"
                    + " or tabs only inside, to be sent exactly by the JDK HttpClient; got " + LastEventIds.quoted(lastEventId));
        }
        requirePositive("retry", retry, Duration.ZERO);
        requirePositive("minRetryDelay", minRetryDelay, Duration.ZERO);
        requirePositive("maxRetryDelay", maxRetryDelay, Duration.ZERO);
        requirePositive("backoffResetAfter", backoffResetAfter, Duration.ZERO);
        requirePositive("connectTimeout", connectTimeout, Duration.ofMillis(1));
        requirePositive("readTimeout", readTimeout, Duration.ZERO);
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("EventSourceOptions.maxAttempts must be >= 0 (0: no limit), got " + maxAttempts);
        }
        if (maxLineSize < 64) {
            throw new IllegalArgumentException("EventSourceOptions.maxLineSize must be >= 64 bytes, got " + maxLineSize);
        }
        if (maxEventSize < 1) {
            throw new IllegalArgumentException("EventSourceOptions.maxEventSize must be >= 1 byte, got " + maxEventSize);
        }
    }

    /** A copy that also sends {@code name: value} (replacing an earlier value of that header). */
    public EventSourceOptions withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new EventSourceOptions(more, lastEventId, reconnect, retry, minRetryDelay, maxRetryDelay,
                backoffResetAfter, maxAttempts, connectTimeout, readTimeout, maxLineSize, maxEventSize, httpClient, acceptEncoding);
    }

    public EventSourceOptions withLastEventId(String id) {
        return new EventSourceOptions(headers, id, reconnect, retry, minRetryDelay, maxRetryDelay, backoffResetAfter,
                maxAttempts, connectTimeout, readTimeout, maxLineSize, maxEventSize, httpClient, acceptEncoding);
    }

    public EventSourceOptions withReconnect(boolean on) {
        return new EventSourceOptions(headers, lastEventId, on, retry, minRetryDelay, maxRetryDelay, backoffResetAfter,
                maxAttempts, connectTimeout, readTimeout, maxLineSize, maxEventSize, httpClient, acceptEncoding);
    }

    public EventSourceOptions withRetry(Duration reconnectionTime) {
        return new EventSourceOptions(headers, lastEventId, reconnect, reconnectionTime, minRetryDelay, maxRetryDelay,
                backoffResetAfter, maxAttempts, connectTimeout, readTimeout, maxLineSize, maxEventSize, httpClient, acceptEncoding);
    }

    public EventSourceOptions withMinRetryDelay(Duration floor) {
        return new EventSourceOptions(headers, lastEventId, reconnect, retry, floor, maxRetryDelay, backoffResetAfter,
                maxAttempts, connectTimeout, readTimeout, maxLineSize, maxEventSize, httpClient, acceptEncoding);
    }

    public EventSourceOptions withMaxRetryDelay(Duration cap) {
        return new EventSourceOptions(headers, lastEventId, reconnect, retry, minRetryDelay, cap, backoffResetAfter,
                maxAttempts, connectTimeout, readTimeout, maxLineSize, maxEventSize, httpClient, acceptEncoding);
    }

    public EventSourceOptions withBackoffResetAfter(Duration uptime) {
        return new EventSourceOptions(headers, lastEventId, reconnect, retry, minRetryDelay, maxRetryDelay, uptime,
                maxAttempts, connectTimeout, readTimeout, maxLineSize, maxEventSize, httpClient, acceptEncoding);
    }

    public EventSourceOptions withMaxAttempts(int attempts) {
        return new EventSourceOptions(headers, lastEventId, reconnect, retry, minRetryDelay, maxRetryDelay,
                backoffResetAfter, attempts, connectTimeout, readTimeout, maxLineSize, maxEventSize, httpClient, acceptEncoding);
    }

    public EventSourceOptions withConnectTimeout(Duration timeout) {
        return new EventSourceOptions(headers, lastEventId, reconnect, retry, minRetryDelay, maxRetryDelay,
                backoffResetAfter, maxAttempts, timeout, readTimeout, maxLineSize, maxEventSize, httpClient, acceptEncoding);
    }

    public EventSourceOptions withReadTimeout(Duration timeout) {
        return new EventSourceOptions(headers, lastEventId, reconnect, retry, minRetryDelay, maxRetryDelay,
                backoffResetAfter, maxAttempts, connectTimeout, timeout, maxLineSize, maxEventSize, httpClient, acceptEncoding);
    }

    public EventSourceOptions withMaxLineSize(int bytes) {
        return new EventSourceOptions(headers, lastEventId, reconnect, retry, minRetryDelay, maxRetryDelay,
                backoffResetAfter, maxAttempts, connectTimeout, readTimeout, bytes, maxEventSize, httpClient, acceptEncoding);
    }

    public EventSourceOptions withMaxEventSize(int bytes) {
        return new EventSourceOptions(headers, lastEventId, reconnect, retry, minRetryDelay, maxRetryDelay,
                backoffResetAfter, maxAttempts, connectTimeout, readTimeout, maxLineSize, bytes, httpClient, acceptEncoding);
    }

    /** A copy that uses {@code client}, which the source will not shut down; {@code null} for a client of its own. */
    public EventSourceOptions withHttpClient(HttpClient client) {
        return new EventSourceOptions(headers, lastEventId, reconnect, retry, minRetryDelay, maxRetryDelay,
                backoffResetAfter, maxAttempts, connectTimeout, readTimeout, maxLineSize, maxEventSize, client, acceptEncoding);
    }

    /**
     * A copy that sends {@code Accept-Encoding} naming what the client decodes ({@code true}, the
     * default) or sends none ({@code false}).
     */
    public EventSourceOptions withAcceptEncoding(boolean on) {
        return new EventSourceOptions(headers, lastEventId, reconnect, retry, minRetryDelay, maxRetryDelay,
                backoffResetAfter, maxAttempts, connectTimeout, readTimeout, maxLineSize, maxEventSize, httpClient, on);
    }

    private static void requirePositive(String name, Duration value, Duration min) {
        Objects.requireNonNull(value, () -> "EventSourceOptions." + name + " must not be null");
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException("EventSourceOptions." + name + " must be >= " + min + ", got " + value);
        }
    }
}
