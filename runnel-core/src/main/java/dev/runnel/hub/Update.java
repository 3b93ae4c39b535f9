package dev.runnel.hub;

import java.util.List;
import java.util.Objects;

/**
 * One update to publish with {@link Hub#publish(Update)}: a value on one or more topics. The first
 * topic is the canonical one, the others are alternates; the update reaches every subscription that
 * any of them matches, once.
 *
 * <pre>{@code
 * hub.publish(Update.of("https://example.com/books/1", json)
 *         .withAlternates(List.of("https://example.com/users/7/books"))
 *         .withId("urn:uuid:...")
 *         .asPrivate());
 * }</pre>
 *
 * @param topics the topics, canonical first; 1 to {@link Hub#MAX_UPDATE_TOPICS}, each once
 * @param value what to send: anything a stream may carry (an {@code SseEvent} without id, a fragment,
 *     a string, an object for the JSON codec)
 * @param id the id the publisher chose, or {@code null} for the hub's own; only on a hub whose
 *     {@link HubOptions#publisherIds()} allows them
 * @param isPrivate when true, only subscriptions authorized for one of the topics receive it
 *     ({@link SubscribeRequest#privateSelectors()})
 */
public record Update(List<String> topics, Object value, String id, boolean isPrivate) {

    public Update {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(value, "a published value must not be null");
        topics = List.copyOf(topics);
    }

    /** A public update of {@code value} on one topic, with the hub's id. */
    public static Update of(String topic, Object value) {
        return new Update(List.of(Objects.requireNonNull(topic, "topic")), value, null, false);
    }

    /** A public update on several topics, canonical first, with the hub's id. */
    public static Update of(List<String> topics, Object value) {
        return new Update(topics, value, null, false);
    }

    /** This update with {@code alternates} added after its topics. */
    public Update withAlternates(List<String> alternates) {
        List<String> all = new java.util.ArrayList<>(topics);
        all.addAll(alternates);
        return new Update(all, value, id, isPrivate);
    }

    /** This update with the publisher's id. */
    public Update withId(String publisherId) {
        return new Update(topics, value, publisherId, isPrivate);
    }

    /** This update, private. */
    public Update asPrivate() {
        return new Update(topics, value, id, true);
    }

    /** The canonical topic. */
    public String topic() {
        return topics.isEmpty() ? null : topics.get(0);
    }
}
