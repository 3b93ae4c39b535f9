package dev.runnel;

import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.stream.Stream;

/**
 * The values one connection sends, and how it sends them. Create one with a factory:
 * {@link #producer(Producer)} for blocking code on a virtual thread, {@link #of(Iterator)},
 * {@link #of(Stream)} or {@link #of(Iterable)} for pull-based sources, and
 * {@link #from(Flow.Publisher)} for reactive ones. Then adjust its {@link StreamOptions} with the
 * {@code with...} methods.
 *
 * <p>An event stream is served once: its source is consumed by the connection that serves it.
 */
public sealed interface EventStream {

    /** This stream's options. */
    StreamOptions options();

    /** A copy with other options. */
    EventStream withOptions(StreamOptions options);

    /** A stream whose values come from {@code producer}, run on a virtual thread. */
    static EventStream producer(Producer producer) {
        return new Produced(Objects.requireNonNull(producer, "producer"), StreamOptions.DEFAULTS);
    }

    /** A stream of the iterator's values; if the iterator is {@link AutoCloseable} it is closed at the end. */
    static EventStream of(Iterator<?> values) {
        Objects.requireNonNull(values, "values");
        return new Iterated(values, values instanceof AutoCloseable c ? c : null, StreamOptions.DEFAULTS);
    }

    /** A stream of the Java stream's values; the stream is closed at the end, running its close handlers. */
    static EventStream of(Stream<?> values) {
        Objects.requireNonNull(values, "values");
        return new Iterated(values.iterator(), values::close, StreamOptions.DEFAULTS);
    }

    /** A stream of the iterable's values. */
    static EventStream of(Iterable<?> values) {
        return of(values.iterator());
    }

    /** A stream of the given values, in order. */
    static EventStream of(Object... values) {
        return of(java.util.Arrays.asList(values).iterator());
    }

    /**
     * A stream of the publisher's items. Demand is bounded by the connection's queue, so a fast
     * publisher cannot overrun a slow client; the subscription is cancelled when the stream ends early.
     */
    static EventStream from(Flow.Publisher<?> publisher) {
        return new Published(Objects.requireNonNull(publisher, "publisher"), StreamOptions.DEFAULTS);
    }

    /** A copy whose values without an event name get {@code name}. */
    default EventStream defaultEvent(String name) {
        return withOptions(options().withDefaultEvent(name));
    }

    /** A copy with another heartbeat interval (1 s to 300 s). */
    default EventStream heartbeat(Duration interval) {
        return withOptions(options().withHeartbeat(interval));
    }

    /** A copy that lets pages of {@code origin} read it cross-origin. */
    default EventStream allowOrigin(String origin) {
        return withOptions(options().withAllowedOrigin(origin));
    }

    /** A copy that starts with a retry meta event telling the browser to wait {@code delay} before reconnecting. */
    default EventStream retry(Duration delay) {
        return withOptions(options().withRetry(delay));
    }

    /** A copy that frames fragments for {@code dialect} whatever the request says (see {@link Dialect#detect}). */
    default EventStream dialect(Dialect chosen) {
        return withOptions(options().withDialect(chosen));
    }

    /** A copy with one more response header. */
    default EventStream header(String name, String value) {
        return withOptions(options().withHeader(name, value));
    }

    /** A copy sent compressed with the first of {@code compression}'s codings the client accepts (see {@link StreamOptions#compression}). */
    default EventStream compression(dev.runnel.compress.Compression compression) {
        return withOptions(options().withCompression(compression));
    }

    /** Values from a {@link Producer}. */
    record Produced(Producer producer, StreamOptions options) implements EventStream {
        public Produced {
            Objects.requireNonNull(producer, "producer");
            Objects.requireNonNull(options, "options");
        }

        @Override
        public EventStream withOptions(StreamOptions newOptions) {
            return new Produced(producer, newOptions);
        }
    }

    /** Values pulled from an iterator; {@code onClose} (may be {@code null}) runs once at the end. */
    record Iterated(Iterator<?> values, AutoCloseable onClose, StreamOptions options) implements EventStream {
        public Iterated {
            Objects.requireNonNull(values, "values");
            Objects.requireNonNull(options, "options");
        }

        @Override
        public EventStream withOptions(StreamOptions newOptions) {
            return new Iterated(values, onClose, newOptions);
        }
    }

    /**
     * A subscription to topics of a {@link dev.runnel.hub.Hub}, resuming after {@link #lastEventId()}
     * ({@code null} for none). Made only by {@link dev.runnel.hub.Hub#subscribe}, which checks the
     * topics and the caller's access: the {@link dev.runnel.internal.Subscription} it needs comes from
     * the hub alone, so no subscription skips those checks.
     */
    final class Subscribed implements EventStream {
        private final dev.runnel.internal.Subscription subscription;
        private final StreamOptions options;

        /** For Runnel's hub; a {@code Subscription} cannot be made elsewhere. */
        public Subscribed(dev.runnel.internal.Subscription subscription, StreamOptions options) {
            this.subscription = Objects.requireNonNull(subscription, "subscription");
            this.options = Objects.requireNonNull(options, "options");
        }

        /** The hub's handle, through which the stream's lifecycle opens the subscription. */
        public dev.runnel.internal.Subscription subscription() {
            return subscription;
        }

        /**
         * This stream, with {@code action} to run once when it has ended, whatever ended it (the client
         * leaving, the server stopping, an end time, a failure): for a protocol that announces when a
         * subscription ends. Runs on the stream's thread after the response is complete; an action that
         * throws is logged and does not keep others from running. Only a stream the engine serves ends:
         * one never handed to it never runs its actions.
         */
        public Subscribed whenEnded(Runnable action) {
            subscription.whenEnded(action);
            return this;
        }

        /** The hub subscribed to. */
        public dev.runnel.hub.Hub hub() {
            return subscription.hub();
        }

        /** The exact topics, each once, in the order asked (a subscription by other selectors may have none). */
        public java.util.List<String> topics() {
            return subscription.topics();
        }

        /** The id to resume after, or {@code null} for none. */
        public String lastEventId() {
            return subscription.lastEventId();
        }

        /**
         * How it resumes, resolved when the hub made it: whether the id asked for was found (the events
         * after it follow), everything held follows, or no history. Known before any header is written.
         */
        public dev.runnel.hub.Resumed resumed() {
            return subscription.resumed();
        }

        @Override
        public StreamOptions options() {
            return options;
        }

        @Override
        public EventStream withOptions(StreamOptions newOptions) {
            return new Subscribed(subscription, newOptions);
        }

        @Override
        public String toString() {
            return "Subscribed[topics=" + topics() + ", lastEventId=" + lastEventId() + ", options=" + options + "]";
        }
    }

    /** Values from a reactive publisher. */
    record Published(Flow.Publisher<?> publisher, StreamOptions options) implements EventStream {
        public Published {
            Objects.requireNonNull(publisher, "publisher");
            Objects.requireNonNull(options, "options");
        }

        @Override
        public EventStream withOptions(StreamOptions newOptions) {
            return new Published(publisher, newOptions);
        }
    }
}
