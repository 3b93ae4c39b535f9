package dev.runnel.internal;

import dev.runnel.hub.TopicSelector;

import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who receives each event: subscribers by exact topic (held by each topic, an O(1) lookup) and by
 * other selectors ({@code *}, matchers: held here, grouped by selector, so a selector shared by many
 * subscriptions is asked once per topic); registers and detaches them, and counts them. Works on the
 * {@link TopicStore}'s topics, under its lock.
 */
final class SubscriberRegistry {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");

    private final TopicStore store;
    /** Subscribers by each selector other than an exact topic. Under the lock. */
    private final Map<TopicSelector, Set<Subscriber>> bySelector = new HashMap<>();

    SubscriberRegistry(TopicStore store) {
        this.store = store;
    }

    /** Makes {@code sub} receive every new event it selects; {@code joined} are its exact topics. Under the lock. */
    void register(Subscriber sub, List<TopicStore.Topic> joined) {
        joined.forEach(t -> t.subscribers.add(sub));
        for (TopicSelector s : sub.selection.selectors()) {
            bySelector.computeIfAbsent(s, k -> new LinkedHashSet<>()).add(sub);
        }
    }

    /**
     * Who receives {@code e}: the subscribers of its topics and of the selectors that take one of them,
     * each once, those authorized for it when it is private. For the usual event (one topic, public, no
     * selector subscriptions) that is the topic's own set, without copying. Under the lock.
     */
    Collection<Subscriber> recipients(HubEvent e) {
        return recipients(e.topics(), e.isPrivate());
    }

    /** Who receives an event on {@code topics}, private or not: {@link #recipients(HubEvent)} before the event exists. Under the lock. */
    Collection<Subscriber> recipients(List<String> topics, boolean isPrivate) {
        if (topics.size() == 1 && bySelector.isEmpty() && !isPrivate) {
            TopicStore.Topic t = store.topic(topics.get(0));
            return t == null ? List.of() : t.subscribers;
        }
        Set<Subscriber> out = new LinkedHashSet<>();
        for (String name : topics) {
            TopicStore.Topic t = store.topic(name);
            if (t != null) {
                addReaders(t.subscribers, topics, isPrivate, out);
            }
        }
        for (Map.Entry<TopicSelector, Set<Subscriber>> group : bySelector.entrySet()) {
            for (String name : topics) {
                if (store.cache.matches(group.getKey(), name)) {
                    addReaders(group.getValue(), topics, isPrivate, out);
                    break;
                }
            }
        }
        return out;
    }

    private void addReaders(Collection<Subscriber> subs, List<String> topics, boolean isPrivate, Set<Subscriber> out) {
        if (!isPrivate) {
            out.addAll(subs);
            return;
        }
        for (Subscriber sub : subs) {
            if (sub.selection.mayRead(topics, true, store.cache)) {
                out.add(sub);
            }
        }
    }

    /** Every subscriber, each once. Under the lock. */
    Set<Subscriber> all() {
        Set<Subscriber> everyone = new LinkedHashSet<>();
        store.topics().values().forEach(t -> everyone.addAll(t.subscribers));
        bySelector.values().forEach(everyone::addAll);
        return everyone;
    }

    /** Removes a subscriber from its topics. Idempotent. Takes the lock. */
    void detach(Subscriber sub) {
        store.lock.lock();
        try {
            detachLocked(sub);
        } finally {
            store.lock.unlock();
        }
    }

    /** {@link #detach}, under the lock. */
    void detachLocked(Subscriber sub) {
        for (String topic : sub.topics) {
            TopicStore.Topic t = store.topic(topic);
            if (t != null) {
                t.subscribers.remove(sub);
                store.pruneIfIdle(topic, t);
            }
        }
        for (TopicSelector s : sub.selection.selectors()) {
            Set<Subscriber> group = bySelector.get(s);
            if (group != null && group.remove(sub) && group.isEmpty()) {
                bySelector.remove(s);
            }
        }
    }

    /** Detaches, then cuts off, subscribers the fan-out's threads found too slow. Outside the lock. */
    void detachAll(List<Subscriber> slow) {
        try {
            store.lock.lock();
            try {
                slow.forEach(this::detachLocked);
            } finally {
                store.lock.unlock();
            }
        } finally {
            cutOff(slow);
        }
    }

    /** Tells each subscriber it was cut off; one whose callback throws keeps nobody else from being told. */
    static void cutOff(Collection<Subscriber> subscribers) {
        for (Subscriber sub : subscribers) {
            try {
                sub.cutOff();
            } catch (Throwable e) {
                QuietLog.log(LOG, Level.WARNING, "cutting off a slow subscriber failed", e);
            }
        }
    }

    /** Subscribers of {@code topic}. Takes the lock. */
    int subscribers(String topic) {
        store.lock.lock();
        try {
            TopicStore.Topic t = store.topic(topic);
            return t == null ? 0 : t.subscribers.size();
        } finally {
            store.lock.unlock();
        }
    }

    /** Subscribers of every topic that has any. Takes the lock. */
    Map<String, Integer> presence() {
        store.lock.lock();
        try {
            Map<String, Integer> counts = new TreeMap<>();
            store.topics().forEach((name, t) -> {
                if (!t.subscribers.isEmpty()) {
                    counts.put(name, t.subscribers.size());
                }
            });
            return counts;
        } finally {
            store.lock.unlock();
        }
    }
}
