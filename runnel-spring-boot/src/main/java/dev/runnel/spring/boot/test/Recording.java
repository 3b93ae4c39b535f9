package dev.runnel.spring.boot.test;

import dev.runnel.client.MessageEvent;
import dev.runnel.client.StreamEnd;

import java.util.List;

/**
 * What a {@link RunnelTestClient} read from one stream.
 *
 * @param events the events, in order
 * @param end why the stream ended: {@link StreamEnd.Ended} when the server finished it,
 *     {@link StreamEnd.Closed} when the client stopped after the events it wanted,
 *     {@link StreamEnd.HttpStatus} for an answer other than {@code 200}, ...
 */
public record Recording(List<MessageEvent> events, StreamEnd end) {

    public Recording {
        events = List.copyOf(events);
    }

    /** Each event's data, in order. */
    public List<String> data() {
        return events.stream().map(MessageEvent::data).toList();
    }

    /** Each event's type ({@code message} when it had no name), in order. */
    public List<String> types() {
        return events.stream().map(MessageEvent::type).toList();
    }
}
