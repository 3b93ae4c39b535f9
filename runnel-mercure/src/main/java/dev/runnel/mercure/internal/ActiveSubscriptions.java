package dev.runnel.mercure.internal;

import dev.runnel.SseEvent;
import dev.runnel.hub.Hub;
import dev.runnel.hub.Roster;
import dev.runnel.hub.Update;

import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The draft's "Active Subscriptions": each subscription (one per topic selector of a connection) is
 * announced with a private update on {@code /.well-known/mercure/subscriptions/{topic}/{subscriber}}
 * when it starts ({@code active: true}) and when it ends ({@code active: false}), and listed while it
 * is active.
 *
 * <p>The list is the hub's {@link Roster}: on one node, in memory; on a hub of several nodes (Redis),
 * every node's subscriptions, so the API on any node lists them all. A subscription is listed before
 * its start is announced and unlisted before its end is, so whoever reads the hub's last event id and
 * then the list misses no change. When a node dies, the roster has one other node announce the end of
 * each of its subscriptions ({@link #departed}); a node taken for dead that comes back announces its
 * subscriptions again ({@link #rejoined}).
 */
public final class ActiveSubscriptions implements Roster.Listener {

    private static final System.Logger LOG = System.getLogger("dev.runnel.mercure");
    /** The path every subscription's topic and the API's URLs start with. */
    public static final String PATH = Draft0Publication.WELL_KNOWN + "/subscriptions";
    /** The roster's name, shared by the Mercure hubs of all nodes. */
    static final String ROSTER = "mercure-subscriptions";

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

        /** As the roster keeps it: topic, subscriber and payload, by LF (neither of the first two holds one). */
        String value() {
            return topic + "\n" + subscriber + (payload == null ? "" : "\n" + payload);
        }

        /** The subscription the roster kept as {@link #value()}. */
        static Subscription of(Roster.Entry entry) {
            String[] parts = entry.value().split("\n", 3);
            if (parts.length < 2) {
                throw new IllegalArgumentException("not a subscription: " + entry.key());
            }
            return new Subscription(entry.key(), parts[0], parts[1], parts.length == 3 ? parts[2] : null);
        }
    }

    private final Hub hub;
    private final Consumer<String> published;
    private final Roster roster;

    /** {@code published} is told the id of every update this publishes. Opens the hub's roster. */
    public ActiveSubscriptions(Hub hub, Consumer<String> published) {
        this.hub = hub;
        this.published = published;
        this.roster = hub.roster(ROSTER, this);
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
     * Lists and announces the subscriptions of one connection, each listed before it is announced.
     * When one fails (the hub's log is down), none of them stays listed, those already announced are
     * announced ended, and the failure is thrown: the connection is refused.
     */
    public List<Subscription> started(List<String> topics, String subscriber, String payload) {
        List<Subscription> started = new ArrayList<>();
        for (String topic : topics) {
            started.add(new Subscription(topicOf(topic, subscriber), topic, subscriber, payload));
        }
        List<Subscription> announced = new ArrayList<>();
        try {
            for (Subscription s : started) {
                roster.announce(s.id(), s.value());
                try {
                    announce(s, true);
                } catch (RuntimeException | Error e) {
                    roster.withdraw(s.id()); // never announced: unlisted without a word
                    throw e;
                }
                announced.add(s);
            }
        } catch (RuntimeException | Error e) {
            ended(announced); // watchers saw them start: they must see them end
            throw e;
        }
        return started;
    }

    /**
     * Unlists and announces the end of {@code ended}, each unlisted before its end is announced; when
     * the roster cannot unlist one now, it announces the end itself later ({@link #departed}). An
     * announcement that fails is logged, the others still go.
     */
    public void ended(Collection<Subscription> ended) {
        for (Subscription s : ended) {
            try {
                if (roster.withdraw(s.id())) {
                    announce(s, false);
                }
            } catch (VirtualMachineError e) {
                throw e;
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "announcing the end of subscription " + s.id() + " failed: " + e);
            }
        }
    }

    /**
     * The active subscriptions of every node, all or of one selector, in a stable order.
     *
     * @throws dev.runnel.hub.HubUnavailableException when the list cannot be read (Redis is down)
     */
    public List<Subscription> list(String topic) {
        List<Subscription> out = new ArrayList<>();
        for (Roster.Entry e : roster.entries()) {
            Subscription s = Subscription.of(e);
            if (topic == null || s.topic().equals(topic)) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The active subscription with this id (its topic), on any node.
     *
     * @throws dev.runnel.hub.HubUnavailableException when the list cannot be read (Redis is down)
     */
    public Optional<Subscription> find(String id) {
        return roster.find(id).map(Subscription::of);
    }

    /** A dead node's subscription (or one this node could not unlist in time): announces its end. */
    @Override
    public void departed(Roster.Entry entry) {
        announce(Subscription.of(entry), false);
    }

    /** This node's subscription, listed again after it was announced ended for this node's supposed death. */
    @Override
    public void rejoined(Roster.Entry entry) {
        announce(Subscription.of(entry), true);
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
