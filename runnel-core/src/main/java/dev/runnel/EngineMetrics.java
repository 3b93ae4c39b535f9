package dev.runnel;

import java.util.List;
import java.util.Locale;

/**
 * Receives what an engine counts, for a metrics library: streams opened and ended (and why),
 * requests refused, events and bytes written, heartbeats, errors, hub replays and resets, and the
 * delay from publish to write. {@code runnel-micrometer}'s {@code RunnelMetrics} implements it with
 * Micrometer meters; install one with {@link SseEngine.Builder#metrics}.
 *
 * <p>The engine calls it from the places where it decides (the same places that feed the
 * {@link TraceSink}), on the streams' own threads and on publishers' threads, so an implementation
 * must be thread-safe, quick, must not block and must not throw. Every method has an empty default.
 * Without one installed the engine uses {@link #NOOP} and computes nothing for it: no route names,
 * no clock reads per event, only calls to empty methods.
 *
 * <p>Every stream that {@link #streamOpened opens} is {@link #streamEnded ended} exactly once, with
 * the same route and topics.
 */
public interface EngineMetrics {

    /** Counts nothing; the default. */
    EngineMetrics NOOP = new EngineMetrics() {
    };

    /**
     * Called once, when {@code engine} is built with this instance, so gauges can read it
     * ({@link SseEngine#openStreams()}, {@link SseEngine#queuedEvents()},
     * {@link SseEngine#queuedBytes()}, {@link SseEngine#hub()}).
     */
    default void bind(SseEngine engine) {
    }

    /**
     * A stream began (its response is about to start).
     *
     * @param route the request's path with each path parameter's segment replaced by
     *     {@code {name}} ({@code /sse/topic/{name}}), so it names the route, not the request
     * @param topics the hub topics it subscribes to; empty for other streams
     */
    default void streamOpened(String route, List<String> topics) {
    }

    /**
     * A stream ended; its response is complete.
     *
     * @param durationNanos time from {@link #streamOpened} to now
     * @param events values of the stream written to the client, as counted by {@link #eventsWritten}
     * @param bytes their bytes on the wire
     */
    default void streamEnded(String route, List<String> topics, EndReason reason, long durationNanos, long events, long bytes) {
    }

    /** A request for a stream was answered with an error status instead; no stream was opened. */
    default void streamRefused(String route, Refusal reason) {
    }

    /**
     * One write of {@code events} values of a stream, {@code bytes} long, reached the transport.
     * A value that failed to render counts as the error event sent in its place. Heartbeats, the
     * retry meta event, producer error events and the close event are not counted here.
     */
    default void eventsWritten(int events, long bytes) {
    }

    /** A heartbeat comment was written to an idle stream. */
    default void heartbeat() {
    }

    /** A value failed to render; an error event was sent in its place and the stream went on. */
    default void renderError() {
    }

    /** A stream's producer threw (not a client disconnect); an error event was sent and the stream ended. */
    default void producerError() {
    }

    /**
     * A hub event was written to a subscriber {@code nanos} after it was published. Only events
     * published after the subscription began are measured, not replayed ones.
     */
    default void publishToWrite(long nanos) {
    }

    /**
     * Handing a hub event to {@code subscribers} subscriptions failed: the offer to a subscriber's
     * queue threw, or the fan-out failed before it reached them. Each of them was cut off as a slow
     * client is, and the other subscribers still got the event. The publisher is not told: its
     * publish may have answered before the hand-off was made.
     */
    default void handOffsFailed(int subscribers) {
    }

    /** A subscriber resumed by {@code Last-Event-ID} and was given the {@code events} it missed (maybe none). */
    default void replayed(int events) {
    }

    /**
     * A subscriber's {@code Last-Event-ID} could not be resumed from; it was sent the reset event.
     *
     * @param reason {@code expired}, {@code unknown} or {@code malformed}
     */
    default void reset(String reason) {
    }

    /**
     * Why a stream ended: the one end reason Runnel has. The same value reaches
     * {@link #streamEnded}, the flight recorder's {@code dev.runnel.StreamClosed} event and the
     * {@link TraceSink}'s {@link TracePhase#CLOSED} and {@link TracePhase#CANCELLED} payloads (as
     * {@link #tag()}).
     */
    enum EndReason {
        /** The source ended by itself. */
        COMPLETED,
        /** The producer threw; an error event was sent. */
        FAILED,
        /** The client went away (closed or reset the connection). */
        CLIENT_CLOSED,
        /** A write to the client failed, other than by timing out. */
        SEND_FAILED,
        /** A write blocked longer than the transport's write timeout: the client stopped reading. */
        WRITE_TIMEOUT,
        /** The client fell too far behind a hub topic and was cut off. */
        SLOW_CLIENT,
        /** The server is stopping. */
        SHUTDOWN,
        /** The application closed the stream ({@link SseEngine#closeStreams}). */
        CLOSED_BY_APPLICATION,
        /** The stream reached the engine's maximum stream age; the client reconnects. */
        MAX_AGE;

        /** The tag value: the name in lower case ({@code client_closed}). */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why a request for a stream was refused, and the status it was answered with. */
    enum Refusal {
        /** {@code 503}: the engine is shutting down. */
        SHUTTING_DOWN(503),
        /** {@code 406}: the request's {@code Accept} excludes {@code text/event-stream}. */
        NOT_ACCEPTABLE(406),
        /** {@code 400}: the handler threw {@link BadRequestException}. */
        BAD_REQUEST(400),
        /** {@code 403}: the handler (or the hub's access rule) threw {@link ForbiddenException}. */
        FORBIDDEN(403),
        /** {@code 401}: the handler threw {@link UnauthorizedException} (no valid credentials). */
        UNAUTHORIZED(401),
        /** {@code 500}: the handler failed. */
        HANDLER_ERROR(500),
        /** {@code 503}: the engine's stream limit (in all, or per client address) was reached. */
        OVER_LIMIT(503),
        /** {@code 503}: the handler threw {@link dev.runnel.hub.HubUnavailableException} (the hub's shared log is down). */
        HUB_UNAVAILABLE(503);

        private final int status;

        Refusal(int status) {
            this.status = status;
        }

        /** The HTTP status the request was answered with. */
        public int status() {
            return status;
        }

        /** The tag value: the name in lower case ({@code not_acceptable}). */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
