package dev.runnel.client;

import dev.runnel.client.internal.LastEventIds;

import java.net.http.HttpResponse;

/**
 * Receives what an {@link EventSource} started with
 * {@link EventSource#connect(java.net.URI, EventSourceOptions, EventSourceListener)} reads.
 *
 * <p>Threading: every method is called on the source's own virtual thread, one call at a time and
 * in stream order; a slow method slows reading (the server's writes then back up in TCP), it does
 * not drop events. Methods may call {@link EventSource#close()}. An exception thrown by a method
 * ends the source with {@link StreamEnd.Failed}.
 *
 * <p>Order: {@code onOpen}, then events and comments, then {@code onError} if the stream breaks
 * and the source will reconnect (and {@code onLastEventIdNotSent} if its id cannot be sent), then
 * {@code onOpen} again, ...; {@code onClosed} exactly once,
 * last.
 *
 * <p>Only {@link #onEvent} must be written, so a lambda will do:
 * {@code EventSource.connect(uri, (source, event) -> System.out.println(event.data()))}.
 */
@FunctionalInterface
public interface EventSourceListener {

    /** A connection was accepted: status 200 and {@code Content-Type: text/event-stream}. */
    default void onOpen(EventSource source, HttpResponse.ResponseInfo response) {
    }

    /** An event was dispatched. */
    void onEvent(EventSource source, MessageEvent event);

    /**
     * A comment line ({@code : text}) was read, such as a server's heartbeat. {@code comment} is
     * the text after the colon, without one leading space.
     */
    default void onComment(EventSource source, String comment) {
    }

    /**
     * A connection attempt failed or an open stream broke, and the source will reconnect (failures
     * it will not retry end it instead: see {@link #onClosed}). A stream silent for
     * {@link EventSourceOptions#readTimeout()} breaks with a
     * {@link java.net.http.HttpTimeoutException}.
     */
    default void onError(EventSource source, Throwable error) {
    }

    /**
     * The stream's last event id cannot be sent exactly, so the source is about to reconnect
     * without a {@code Last-Event-ID} header (the server then resumes as for a new client), rather
     * than send a different id. Called before that attempt, once per such id; the source goes on.
     *
     * <p>Which ids: the JDK's {@code HttpClient} sends a header value's characters above
     * {@code 0x7E} as {@code ?} over HTTP/1.1 and refuses control characters, so an id is sent only
     * when it is visible ASCII ({@code 0x21}-{@code 0x7E}) with spaces or tabs only between such
     * characters (leading or trailing ones would be stripped by the server). A browser would send
     * such an id as UTF-8; a server that wants clients on the JDK to resume should choose ASCII ids.
     *
     * <p>The default logs a warning through {@link System.Logger}.
     *
     * @param lastEventId the id that is not sent; {@link EventSource#lastEventId()} and the
     *     events keep it
     */
    default void onLastEventIdNotSent(EventSource source, String lastEventId) {
        System.getLogger(EventSourceListener.class.getName()).log(System.Logger.Level.WARNING,
                "reconnecting to {0} without Last-Event-ID: the id {1} cannot be sent exactly by the JDK HttpClient",
                source.uri(), LastEventIds.quoted(lastEventId));
    }

    /** The source ended for good; no call follows. Called exactly once. */
    default void onClosed(EventSource source, StreamEnd end) {
    }
}
