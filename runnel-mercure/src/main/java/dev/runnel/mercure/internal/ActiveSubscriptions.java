package dev.runnel.mercure.internal;

import dev.runnel.SseEvent;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Update;

import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The draft's "Active Subscriptions" on one node: each subscription (one per topic selector of a
 * connection) is announced with a private update on
 * {@code /.well-known/mercure/subscriptions/{topic}/{subscriber}} when it starts ({@code active:
 * true}) and when it ends ({@code active: false}), and listed while it is active.
 *
 * <p>Lists this node's subscriptions only: on a hub of several nodes, each node announces its own,
 * and the list of all of them is not kept yet.
 */
public final class ActiveSubscriptions {

    private static final System.Logger LOG = System.getLogger("dev.runnel.mercure");
    /** The path every subscription's topic and the API's URLs start with. */
    public static final String PATH = Draft0Publication.WELL_KNOWN + "/subscriptions";

    /** One subscription: a connection's selector. {@code payload} is JSON text, or {@code null}. */
    public record Subscription(String id, String topic, String subscriber, String payload) {

        /**
         * The JSON-LD document of this subscription, with {@code active}, the {@code @context} unless
         * a parent document has it, and, when given, more members (JSON text).
         */
        public String document(boolean active, boolean withContext, String more) {
            return "{" + (withContext ? "\"@context\":\"https://mercure.rocks/\"," : "") + "\"id\":" + JsonText.quote(id)
                    + ",\"type\":\"Subscription\",\"topic\":" + JsonText.quote(topic)
                    + ",\"subscriber\":" + JsonText.quote(subscriber)
                    + ",\"active\":" + active
                    + (payload == null ? "" : ",\"payload\":" + payload)
                    + (more == null ? "" : "," + more) + "}";
        }
    }

    private final Hub hub;
    private final Consumer<String> published;
    private final Map<String, Subscription> active = new ConcurrentHashMap<>();

    /** {@code published} is told the id of every update this publishes. */
    public ActiveSubscriptions(Hub hub, Consumer<String> published) {
        this.hub = hub;
        this.published = published;
    }

    /** A new subscriber's identifier: one {@code urn:uuid:} per connection. */
    public static String newSubscriber() {
        return "urn:uuid:" + UUID.randomUUID();
    }

    /** The topic (and id) of {@code topic}'s subscription by {@code subscriber}: both parts percent-encoded. */
    public static String topicOf(String topic, String subscriber) {
        return PATH + "/" + encode(topic) + "/" + encode(subscriber);
    }

    /**
     * Whether a subscription to {@code topic} can be announced: its subscription's topic, percent-encoded,
     * is no longer than the hub takes ({@link Hub#MAX_SERVER_TOPIC_LENGTH}).
     */
    public static boolean canAnnounce(String topic) {
        return topicOf(topic, "urn:uuid:00000000-0000-0000-0000-000000000000").length() <= Hub.MAX_SERVER_TOPIC_LENGTH;
    }

    /**
     * Lists and announces the subscriptions of one connection. When an announcement fails (the hub's
     * log is down), none of them stays listed, those already announced are announced ended, and the
     * failure is thrown: the connection is refused.
     */
    public List<Subscription> started(List<String> topics, String subscriber, String payload) {
        List<Subscription> started = new ArrayList<>();
        for (String topic : topics) {
            Subscription s = new Subscription(topicOf(topic, subscriber), topic, subscriber, payload);
            started.add(s);
            active.put(s.id(), s);
        }
        List<Subscription> announced = new ArrayList<>();
        try {
            for (Subscription s : started) {
                announce(s, true);
                announced.add(s);
            }
        } catch (RuntimeException | Error e) {
            started.forEach(s -> active.remove(s.id()));
            ended(announced); // watchers saw them start: they must see them end
            throw e;
        }
        return started;
    }

    /**
     * Unlists and announces the end of {@code ended}: all are unlisted first, and an announcement that
     * fails is logged, the others still go.
     */
    public void ended(Collection<Subscription> ended) {
        ended.forEach(s -> active.remove(s.id()));
        for (Subscription s : ended) {
            try {
                announce(s, false);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "announcing the end of subscription " + s.id() + " failed: " + e);
            }
        }
    }

    /** The active subscriptions, all or of one selector, in a stable order. */
    public List<Subscription> list(String topic) {
        return active.values().stream()
                .filter(s -> topic == null || s.topic().equals(topic))
                .sorted(Comparator.comparing(Subscription::id))
                .toList();
    }

    /** The active subscription with this id (its topic). */
    public Optional<Subscription> find(String id) {
        return Optional.ofNullable(active.get(id));
    }

    private void announce(Subscription s, boolean isActive) {
        String id = Draft0Publication.newId();
        hub.publish(Update.of(s.id(), SseEvent.of(s.document(isActive, true, null))).withId(id).asPrivate());
        published.accept(id);
    }

    /** RFC 6570 simple expansion of one value: everything but unreserved characters percent-encoded, as UTF-8. */
    static String encode(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length * 3);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                out.write(c);
            } else {
                out.write('%');
                out.write(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
                out.write(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
