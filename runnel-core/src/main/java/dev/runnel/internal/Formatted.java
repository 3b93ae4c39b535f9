package dev.runnel.internal;

import dev.runnel.SseEvent;

import java.util.List;

/**
 * An update checked and formatted, before it takes its sequence number: its topics (canonical first),
 * whether it is private, the publisher's id ({@code null} for the hub's), the rendered value and its
 * event in the usual dialect (without id).
 */
record Formatted(List<String> topics, boolean isPrivate, String publisherId, Prepared prepared, SseEvent usual) {

    /** The event it becomes at {@code seq}, with the hub's id {@code hubId} unless the publisher chose one. */
    HubEvent at(long seq, String hubId, long publishedNanos) {
        String id = publisherId != null ? publisherId : hubId;
        return new HubEvent(seq, id, topics, isPrivate, publisherId, prepared, usual, publishedNanos);
    }
}
