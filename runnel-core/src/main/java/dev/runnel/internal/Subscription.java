package dev.runnel.internal;

import dev.runnel.hub.Hub;

import java.util.List;

/**
 * A subscription the hub made once the topics passed its checks (names, count, access): the handle
 * through which the stream's lifecycle opens it on one connection. Only Runnel's hub makes one (its
 * constructor is not public), so an {@link dev.runnel.EventStream.Subscribed} always carries topics
 * the hub checked.
 */
public final class Subscription {

    private final TopicHub hub;
    private final List<String> topics;
    private final String lastEventId;

    Subscription(TopicHub hub, List<String> topics, String lastEventId) {
        this.hub = hub;
        this.topics = List.copyOf(topics);
        this.lastEventId = lastEventId;
    }

    /** The hub that made it. */
    public Hub hub() {
        return hub;
    }

    /** Its topics, each once, in the order asked. */
    public List<String> topics() {
        return topics;
    }

    /** The id to resume after, or {@code null} for none. */
    public String lastEventId() {
        return lastEventId;
    }

    /** A new queue for one connection, bounded as the hub's options say. */
    ValueChannel newChannel() {
        return hub.newChannel();
    }

    /** One connection's subscriber on {@code channel}; {@code cutOff} ends its stream as too slow. */
    Subscriber subscriber(ValueChannel channel, Runnable cutOff) {
        return new Subscriber(topics, channel, hub.options().slowClients(), cutOff);
    }

    /** Queues what {@code sub} missed, then makes it receive every new event of its topics. */
    void attach(Subscriber sub) {
        hub.attach(sub, lastEventId);
    }

    /** Stops {@code sub} receiving events. Idempotent. */
    void detach(Subscriber sub) {
        hub.detach(sub);
    }
}
