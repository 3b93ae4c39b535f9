package dev.runnel.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One update for a Mercure hub, as {@link MercurePublisher} sends it: its topics (the first is the
 * canonical one, the others alternates), its data, and optionally the id, the SSE event type, the
 * reconnection delay and whether it is private.
 *
 * @param topics 1 or more topic IRIs, canonical first
 * @param data the event's data, any text (may be empty, may hold line breaks)
 * @param id the update's id, or {@code null} for one the hub makes; no CR, LF or NUL, not starting with {@code #}
 * @param type the SSE event type, or {@code null}; no CR or LF
 * @param retry the reconnection delay in milliseconds, or {@code null}; 0 or more
 * @param isPrivate when true, only subscribers authorized for one of the topics receive it
 */
public record MercureUpdate(List<String> topics, String data, String id, String type, Long retry, boolean isPrivate) {

    public MercureUpdate {
        topics = List.copyOf(Objects.requireNonNull(topics, "topics"));
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a Mercure update needs at least one topic");
        }
        for (String topic : topics) {
            if (topic.isEmpty()) {
                throw new IllegalArgumentException("a topic must not be empty");
            }
        }
        Objects.requireNonNull(data, "data (use \"\" for none)");
        if (id != null && (id.isEmpty() || id.startsWith("#") || id.indexOf('\r') >= 0 || id.indexOf('\n') >= 0 || id.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("invalid update id: it must not be empty, start with # or hold CR, LF or NUL");
        }
        if (type != null && (type.isEmpty() || type.indexOf('\r') >= 0 || type.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException("invalid event type: it must not be empty or hold CR or LF");
        }
        if (retry != null && retry < 0) {
            throw new IllegalArgumentException("retry must be 0 or more milliseconds, got " + retry);
        }
    }

    /** A public update of {@code data} on {@code topic}. */
    public static MercureUpdate of(String topic, String data) {
        return new MercureUpdate(List.of(Objects.requireNonNull(topic, "topic")), data, null, null, null, false);
    }

    /** This update with {@code more} alternate topics after its topics. */
    public MercureUpdate withAlternates(List<String> more) {
        List<String> all = new ArrayList<>(topics);
        all.addAll(more);
        return new MercureUpdate(all, data, id, type, retry, isPrivate);
    }

    /** This update with its own id. */
    public MercureUpdate withId(String updateId) {
        return new MercureUpdate(topics, data, updateId, type, retry, isPrivate);
    }

    /** This update with an SSE event type. */
    public MercureUpdate withType(String eventType) {
        return new MercureUpdate(topics, data, id, eventType, retry, isPrivate);
    }

    /** This update with a reconnection delay for its subscribers, in milliseconds. */
    public MercureUpdate withRetry(long millis) {
        return new MercureUpdate(topics, data, id, type, millis, isPrivate);
    }

    /** This update, private. */
    public MercureUpdate asPrivate() {
        return new MercureUpdate(topics, data, id, type, retry, true);
    }
}
