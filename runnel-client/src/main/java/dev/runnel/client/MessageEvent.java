package dev.runnel.client;

import java.util.Objects;

/**
 * One dispatched event, as a browser's {@code MessageEvent} reports it.
 *
 * @param type the stream's {@code event} field, or {@code message} when the event had none (or an
 *     empty one)
 * @param data the {@code data} lines joined with LF; empty for a lone {@code data} field with no value
 * @param lastEventId the last event id when the event was dispatched: the latest {@code id} field
 *     seen on the stream so far, in this event or an earlier one (it persists across events and
 *     reconnections, as in a browser); {@code ""} when there is none
 */
public record MessageEvent(String type, String data, String lastEventId) {

    public MessageEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(lastEventId, "lastEventId");
    }
}
