package dev.runnel.hub;

import dev.runnel.EventStream;
import dev.runnel.RequestContext;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * the server restarts, so an id from before the restart is recognised as unknown. A hub on a
 * {@link HubLog} (several nodes on Redis) writes the log's {@code EPOCH-SEQ} in the same way, with one
 * sequence for the whole cluster, so a client resumes on any node.
 *
 * <p>Ordering: events of one topic reach every subscriber in publish order; across topics, in the
 * order of their ids.
 *
 * <p>A publish returns once its event is recorded (on a {@link HubLog}, stored) and handed to the
 * fan-out, not once every subscriber's queue has it; a failure while handing it to a subscriber cuts
 * that subscriber off and is counted ({@link dev.runnel.EngineMetrics#handOffsFailed}), never
 * thrown to the publisher.
 *
 * <p>Implementing it: Runnel's hub, the engine's, is the only one that serves subscriptions. The
 * stream {@link #subscribe} returns can only be made by that hub, after its checks (an
 * {@link EventStream.Subscribed} needs a handle only the hub creates), so a hub of your own cannot
 * hand the engine a subscription of its own making. You may implement this interface to wrap the
 * engine's hub (to log or count publishes, say; its {@code subscribe} then returns the engine hub's
 * streams) or as a test double for your own code; expect methods to be added in later versions.
 */
public interface Hub {

    /**
     * Topic names for the topic-name methods ({@link #publish(String, Object)}, {@link #subscribe(RequestContext, Collection)}),
     * which routes such as {@code /sse/topic/{name}} and per-topic metrics use: 1 to 128 of
     * {@code A-Z a-z 0-9 . _ : -}. Updates and selections ({@link Update}, {@link SubscribeRequest}) take
     * wider topics, URIs among them.
     */
    String TOPIC_PATTERN = "[A-Za-z0-9._:-]{1,128}";

    /** Most topics one stream may subscribe to with {@link #subscribe(RequestContext, Collection)}. */
    int MAX_TOPICS_PER_STREAM = 32;

    /** Longest topic a publisher may name ({@link #publish(RequestContext, Update)}), in chars. */
    int MAX_TOPIC_LENGTH = 2048;

    /**
     * Longest topic trusted code may publish on ({@link #publish(Update)}) or a selection may name, in
     * chars: room for topics the server makes itself, such as one that holds a percent-encoded selector.
     */
    int MAX_SERVER_TOPIC_LENGTH = 8192;

    /** Most topics one {@link Update} may carry. */
    int MAX_UPDATE_TOPICS = 100;

    /** Longest id a publisher may give an update, in chars. */
    int MAX_ID_LENGTH = 1024;

    /**
     * Publishes a value to a topic, from trusted code (no access check). The value is formatted and
     * encoded once, here, on the caller's thread.
     *
     * @throws IllegalArgumentException for a malformed topic name, or an {@code SseEvent} that
     *     carries its own id (the hub assigns ids)
     * @throws dev.runnel.RenderException when the value cannot be formatted
     * @throws HubUnavailableException when the hub's shared log (Redis) cannot store the event
     */
    Published publish(String topic, Object value);

    /**
     * Publishes an update, from trusted code (no access check): on one or more topics, each any text of
     * 1 to {@link #MAX_SERVER_TOPIC_LENGTH} chars without control characters; private or public; with the
     * publisher's id where {@link HubOptions#publisherIds()} allows it.
     *
     * @throws IllegalArgumentException for a malformed topic or id, or an id the hub does not allow
     * @throws dev.runnel.RenderException when the value cannot be formatted
     * @throws HubUnavailableException when the hub's shared log (Redis) cannot store the event
     */
    Published publish(Update update);

    /**
     * Publishes an update on behalf of a request: topics of at most {@link #MAX_TOPIC_LENGTH} chars, and
     * the {@link TopicAccess} must allow every one of them, else nothing is published.
     *
     * @throws dev.runnel.BadRequestException for a malformed topic, id or value
     * @throws dev.runnel.ForbiddenException when access to one of the topics is refused
     * @throws HubUnavailableException when the hub's shared log (Redis) cannot store the event
     */
    Published publish(RequestContext publisher, Update update);

    /**
     * A subscription by selectors ({@link SubscribeRequest}): exact topics, {@code *}, matchers, with the
     * topics whose private updates it may receive, resuming as the request says. Where it resumes is
     * resolved here, before any response is written: {@link EventStream.Subscribed#resumed()} tells
     * whether the id asked for was found. On a hub with a {@link HubLog}, this may wait up to two
     * seconds for the node's reader to catch up with the log.
     *
     * @throws dev.runnel.BadRequestException for no selector, more than {@link HubOptions#maxSelectors()},
     *     or a malformed topic
     * @throws dev.runnel.ForbiddenException when {@link TopicAccess#maySelect} refuses a selector
     * @throws HubUnavailableException when the node cannot tell where to resume yet (its log is unreachable)
     */
    EventStream.Subscribed subscribe(RequestContext request, SubscribeRequest wanted);

    /**
     * Publishes on behalf of a request: the {@link TopicAccess} decides first.
     *
     * @throws dev.runnel.BadRequestException for a malformed topic name or value
     * @throws dev.runnel.ForbiddenException when access is refused
     * @throws HubUnavailableException when the hub's shared log (Redis) cannot store the event
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

    /** Subscribers of a topic on this node (also for a hub on several nodes: presence is per node). */
    int subscribers(String topic);

    /** Subscribers of every topic that has any, on this node. */
    Map<String, Integer> presence();

    /** The hub's options. */
    HubOptions options();

    /**
     * The id of the newest event this node delivered (on a {@link HubLog}: of the whole hub, as far as
     * this node has read it), empty before the first. A wrapper that does not know answers empty.
     */
    default Optional<String> lastEventId() {
        return Optional.empty();
    }

    /**
     * A {@link Roster} named {@code name}: on a hub that is one node, this node's entries in memory; on
     * a {@link HubLog} that spans nodes, the one the log keeps for the whole cluster (Redis's), with
     * {@code listener} told of the entries of nodes that died. Each call opens a new one; nodes that
     * use the same name share its entries. Closed with the hub's log; an in-memory one needs no closing.
     *
     * @param name letters, digits, {@code . _ -}, 1 to 64 of them
     */
    default Roster roster(String name, Roster.Listener listener) {
        return Roster.ofThisNode();
    }

    /**
     * True when the hub can publish and deliver now: always for the in-memory hub; for a hub on a
     * {@link HubLog} (Redis), when its reader is connected and the log answers a ping within half a
     * second. For a readiness probe; may block that long.
     */
    default boolean isReady() {
        return true;
    }

    /** True when {@code name} is a valid topic name for the topic-name methods ({@link #TOPIC_PATTERN}). */
    static boolean isValidTopic(String name) {
        return name != null && name.matches(TOPIC_PATTERN);
    }

    /**
     * True when {@code topic} may be an update's topic or a selection's exact topic: 1 to {@code maxLength}
     * chars, no control character (C0, DEL, C1), no unpaired surrogate (it could not be sent as UTF-8).
     */
    static boolean isValidUpdateTopic(String topic, int maxLength) {
        if (topic == null || topic.isEmpty() || topic.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (Character.isISOControl(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == topic.length() || !Character.isLowSurrogate(topic.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
