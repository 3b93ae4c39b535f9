package dev.runnel.internal;

import dev.runnel.hub.TopicSelector;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hub's answers of {@link TopicSelector.Matching} selectors, per key and topic: a matcher runs once
 * per distinct topic, however many subscriptions share its key. Bounded: two generations of at most
 * half the capacity each; when the newer fills up, the older is dropped and the newer takes its place,
 * so answers in use stay while the rest age out. Thread-safe; two threads may compute one answer twice.
 */
final class SelectorCache {

    private static final System.Logger LOG = System.getLogger("dev.runnel.hub");
    /** Default capacity: answers held at most. */
    static final int CAPACITY = 65_536;

    private final int half;
    private volatile Map<Key, Boolean> current = new ConcurrentHashMap<>();
    private volatile Map<Key, Boolean> previous = Map.of();
    /** Keys whose matcher threw, each logged once. */
    private final Map<String, Boolean> failedKeys = new ConcurrentHashMap<>();

    SelectorCache(int capacity) {
        this.half = Math.max(1, capacity / 2);
    }

    private record Key(String selector, String topic) {
    }

    /** True when {@code selector} takes {@code topic}. */
    boolean matches(TopicSelector selector, String topic) {
        return switch (selector) {
            case TopicSelector.Exact e -> e.topic().equals(topic);
            case TopicSelector.Any a -> true;
            case TopicSelector.Matching m -> cached(m, topic);
        };
    }

    /** True when one of {@code selectors} takes one of {@code topics}. */
    boolean anyMatches(List<TopicSelector> selectors, List<String> topics) {
        for (TopicSelector s : selectors) {
            for (String topic : topics) {
                if (matches(s, topic)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Answers held, both generations. For tests. */
    int size() {
        return current.size() + previous.size();
    }

    private boolean cached(TopicSelector.Matching m, String topic) {
        Key key = new Key(m.key(), topic);
        Map<Key, Boolean> now = current;
        Boolean known = now.get(key);
        if (known == null) {
            known = previous.get(key);
            if (known == null) {
                known = ask(m, topic);
            }
            if (now.size() >= half) {
                rotate(now);
                now = current;
            }
            now.put(key, known);
        }
        return known;
    }

    /** Starts a new generation, unless another thread just did. */
    private void rotate(Map<Key, Boolean> full) {
        synchronized (this) { // no I/O under it: two map assignments
            if (current == full) {
                previous = full;
                current = new ConcurrentHashMap<>();
            }
        }
    }

    /** The matcher's own answer; one that throws (anything) counts as no match. */
    private boolean ask(TopicSelector.Matching m, String topic) {
        try {
            return m.matcher().test(topic);
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
                throw fatal;
            }
            if (failedKeys.size() < 1000 && failedKeys.putIfAbsent(m.key(), Boolean.TRUE) == null) {
                QuietLog.log(LOG, Level.WARNING, "topic selector " + m.key() + " failed on a topic; it counts as not matching", e);
            }
            return false;
        }
    }
}
