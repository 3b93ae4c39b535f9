package dev.runnel.hub;

import dev.runnel.EventStream;
import dev.runnel.RequestContext;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Topics and broadcast: publish a value once, and every connection subscribed to its topic gets the
 * same encoded bytes; a connection that comes back with a {@code Last-Event-ID} gets what it missed.
 *
 * <p>Get the engine's hub with {@link dev.runnel.SseEngine#hub()}. Thread-safe: publish from any
 * thread.
 *
 * <p>Ids: the hub gives every published event its id, a string the client treats as opaque. The
 * in-memory hub writes {@code EPOCH-SEQ}: one sequence for all topics of the hub, so a subscription
 * to several topics resumes from the single id the browser last saw, and an epoch that changes when
 * the server restarts, so an id from before the restart is recognised as unknown.
 *
 * <p>Ordering: events of one topic reach every subscriber in publish order; across topics, in the
 * order of their ids.
 */
public interface Hub {

    /** Topic names: 1 to 128 of {@code A-Z a-z 0-9 . _ : -}. */
    String TOPIC_PATTERN = "[A-Za-z0-9._:-]{1,128}";

    /** Most topics one stream may subscribe to. */
    int MAX_TOPICS_PER_STREAM = 32;

    /**
     * Publishes a value to a topic, from trusted code (no access check). The value is formatted and
     * encoded once, here, on the caller's thread.
     *
     * @throws IllegalArgumentException for a malformed topic name, or an {@code SseEvent} that
     *     carries its own id (the hub assigns ids)
     * @throws dev.runnel.RenderException when the value cannot be formatted
     */
    Published publish(String topic, Object value);

    /**
     * Publishes on behalf of a request: the {@link TopicAccess} decides first.
     *
     * @throws dev.runnel.BadRequestException for a malformed topic name or value
     * @throws dev.runnel.ForbiddenException when access is refused
     */
    Published publish(RequestContext publisher, String topic, Object value);

    /**
     * The stream of a subscription to {@code topics} for this request, resuming after its
     * {@code Last-Event-ID} (header, else {@code lastEventId} query parameter) when it has one.
     *
     * @throws dev.runnel.BadRequestException for a malformed topic name, no topics, or too many
     * @throws dev.runnel.ForbiddenException when access is refused
     */
    EventStream subscribe(RequestContext request, Collection<String> topics);

    /** {@link #subscribe(RequestContext, Collection)} for the given topics. */
    default EventStream subscribe(RequestContext request, String... topics) {
        return subscribe(request, List.of(topics));
    }

    /** Subscribers of a topic on this node. */
    int subscribers(String topic);

    /** Subscribers of every topic that has any, on this node. */
    Map<String, Integer> presence();

    /** The hub's options. */
    HubOptions options();

    /** True when {@code name} is a valid topic name. */
    static boolean isValidTopic(String name) {
        return name != null && name.matches(TOPIC_PATTERN);
    }
}
