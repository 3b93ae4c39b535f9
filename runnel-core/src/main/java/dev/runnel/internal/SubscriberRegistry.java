package dev.runnel.internal;

import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who receives each topic's events: registers subscribers on their topics, detaches them (when their
 * stream ends or they are too slow), and counts them. On a log it also holds the subscribers waiting
 * for the reader to fetch what they missed. Works on the {@link TopicStore}'s topics, under its lock.
 */
final class SubscriberRegistry {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");

    private final TopicStore store;
    /** On a log: subscribers waiting for the reader to fetch what they missed, in arrival order. Under the lock. */
    private final Map<Subscriber, LogFollower.Pending> pending = new LinkedHashMap<>();

    SubscriberRegistry(TopicStore store) {
        this.store = store;
    }

    /** Makes {@code sub} receive every new event of {@code joined}, its topics. Under the lock. */
    void register(Subscriber sub, List<TopicStore.Topic> joined) {
        joined.forEach(t -> t.subscribers.add(sub));
    }

    /** Makes {@code p}'s subscriber wait for the reader on {@code joined}, its topics. Under the lock. */
    void await(LogFollower.Pending p, List<TopicStore.Topic> joined) {
        pending.put(p.sub(), p);
        joined.forEach(t -> t.pending.add(p));
    }

    /** True while {@code p} is still what its subscriber waits as. Under the lock. */
    boolean isWaiting(LogFollower.Pending p) {
        return pending.get(p.sub()) == p;
    }

    /** {@code p}'s subscriber no longer waits: it is being served. Under the lock. */
    void stopWaiting(LogFollower.Pending p) {
        pending.remove(p.sub());
    }

    /** Makes {@code p}'s subscriber receive on its topics, all held, instead of waiting there. Under the lock. */
    void serve(LogFollower.Pending p) {
        for (String name : p.sub().topics) {
            TopicStore.Topic t = store.topic(name);
            t.pending.remove(p);
            t.subscribers.add(p.sub());
        }
    }

    /** The subscribers waiting for the reader, in arrival order. Under the lock. */
    Collection<LogFollower.Pending> waiting() {
        return pending.values();
    }

    /** Forgets every waiting subscriber, returning them. Under the lock. */
    List<Subscriber> clearWaiting() {
        List<Subscriber> all = List.copyOf(pending.keySet());
        pending.clear();
        return all;
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
        LogFollower.Pending waiting = pending.remove(sub);
        for (String topic : sub.topics) {
            TopicStore.Topic t = store.topic(topic);
            if (t != null) {
                t.subscribers.remove(sub);
                if (waiting != null) {
                    t.pending.remove(waiting);
                }
                store.pruneIfIdle(topic, t);
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
