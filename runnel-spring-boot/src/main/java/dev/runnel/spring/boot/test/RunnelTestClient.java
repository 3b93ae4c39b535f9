package dev.runnel.spring.boot.test;

import dev.runnel.client.EventSource;
import dev.runnel.client.EventSourceListener;
import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;
import dev.runnel.client.StreamEnd;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Reads streams from the application a {@link RunnelTest} started, with {@code runnel-client}'s
 * {@link EventSource}: paths resolve against the running server, the source does not reconnect (a
 * test wants to see how a stream ends), and every read has a deadline (10 s unless set).
 * Immutable: {@code with...} methods return a copy. Thread-safe.
 */
public final class RunnelTestClient {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Supplier<URI> base;
    private final EventSourceOptions options;
    private final Duration timeout;

    RunnelTestClient(Supplier<URI> base) {
        this(base, EventSourceOptions.DEFAULTS.withReconnect(false), DEFAULT_TIMEOUT);
    }

    private RunnelTestClient(Supplier<URI> base, EventSourceOptions options, Duration timeout) {
        this.base = base;
        this.options = options;
        this.timeout = timeout;
    }

    /** The absolute URI of {@code path} ({@code /sse/clock?count=3}) on the running server. */
    public URI uri(String path) {
        Objects.requireNonNull(path, "path");
        return base.get().resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** A client that sends this header with every request. */
    public RunnelTestClient withHeader(String name, String value) {
        return new RunnelTestClient(base, options.withHeader(name, value), timeout);
    }

    /** A client that logs in with HTTP Basic on every request. */
    public RunnelTestClient withBasicAuth(String user, String password) {
        String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return withHeader("Authorization", "Basic " + token);
    }

    /** A client whose reads fail after {@code limit} instead of 10 s. */
    public RunnelTestClient withTimeout(Duration limit) {
        if (limit == null || limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("timeout must be more than 0, got " + limit);
        }
        return new RunnelTestClient(base, options, limit);
    }

    /** A client with other source options (a {@code Last-Event-ID}, reconnection, size limits). */
    public RunnelTestClient withOptions(EventSourceOptions newOptions) {
        return new RunnelTestClient(base, Objects.requireNonNull(newOptions, "options"), timeout);
    }

    /**
     * Connects to {@code path} now and reads it in the background; take its events with
     * {@link LiveStream#next()}. For streams that stay open (subscriptions), and for several
     * streams at once. Close it (try-with-resources).
     */
    public LiveStream connect(String path) {
        URI uri = uri(path);
        return new LiveStream(listener -> EventSource.connect(uri, options, listener), timeout);
    }

    /**
     * A source on {@code path} to iterate yourself, connecting on the first {@code hasNext()}; close
     * it (try-with-resources). The client's timeout bounds the wait for the response and for each
     * line of the stream (a heartbeat counts): when nothing comes for that long, {@code hasNext()}
     * returns false instead of blocking the test.
     */
    public EventSource open(String path) {
        return EventSource.open(uri(path), options.withConnectTimeout(timeout).withReadTimeout(timeout));
    }

    /**
     * Reads {@code path} until the stream ends.
     *
     * @throws AssertionError when it has not ended within the timeout; the message has the events so far
     */
    public Recording read(String path) {
        return read(path, Integer.MAX_VALUE);
    }

    /**
     * Reads the first {@code count} events of {@code path}, then closes the stream
     * ({@link StreamEnd.Closed}); fewer when the stream ends first.
     *
     * @throws AssertionError when neither happened within the timeout; the message has the events so far
     */
    public Recording read(String path, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be 1 or more, got " + count);
        }
        List<MessageEvent> events = new CopyOnWriteArrayList<>();
        CompletableFuture<StreamEnd> ended = new CompletableFuture<>();
        URI uri = uri(path);
        EventSource source = EventSource.connect(uri, options, new EventSourceListener() {
            @Override
            public void onEvent(EventSource s, MessageEvent event) {
                events.add(event); // listener calls come one at a time, on the source's thread
                if (events.size() >= count) {
                    s.close();
                }
            }

            @Override
            public void onClosed(EventSource s, StreamEnd end) {
                ended.complete(end);
            }
        });
        try {
            StreamEnd end = ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            source.close();
            return new Recording(events, end);
        } catch (TimeoutException e) {
            source.close();
            throw new AssertionError("the stream " + uri + " did not end within " + timeout + "; events so far: " + events);
        } catch (InterruptedException e) {
            source.close();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while reading " + uri, e);
        } catch (ExecutionException e) {
            source.close();
            throw new AssertionError("reading " + uri + " failed", e.getCause());
        }
    }
}
