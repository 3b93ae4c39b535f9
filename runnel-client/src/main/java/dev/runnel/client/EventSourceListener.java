package dev.runnel.client;

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
 * and the source will reconnect, then {@code onOpen} again, ...; {@code onClosed} exactly once,
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
     * it will not retry end it instead: see {@link #onClosed}).
     */
    default void onError(EventSource source, Throwable error) {
    }

    /** The source ended for good; no call follows. Called exactly once. */
    default void onClosed(EventSource source, StreamEnd end) {
    }
}
