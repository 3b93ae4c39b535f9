package dev.runnel.internal;

import dev.runnel.hub.TopicSelector;

import java.util.List;

/**
 * What one subscription receives: its exact topics (looked up by name), its other selectors
 * ({@code *}, matchers) and the topics it is authorized for, which private events need.
 */
record Selection(List<String> topics, List<TopicSelector> selectors, List<TopicSelector> privateSelectors) {

    /** Exact topics only, no private events. */
    static Selection of(List<String> topics) {
        return new Selection(List.copyOf(topics), List.of(), List.of());
    }

    /** True when it selects {@code topic}. */
    boolean selects(String topic, SelectorCache cache) {
        if (topics.contains(topic)) {
            return true;
        }
        for (TopicSelector s : selectors) {
            if (cache.matches(s, topic)) {
                return true;
            }
        }
        return false;
    }

    /** True when it selects one of {@code e}'s topics and, for a private event, is authorized for one. */
    boolean mayReceive(HubEvent e, SelectorCache cache) {
        boolean selected = false;
        for (String topic : e.topics()) {
            if (selects(topic, cache)) {
                selected = true;
                break;
            }
        }
        return selected && mayRead(e, cache);
    }

    /** True when {@code e} is public or it is authorized for one of its topics. */
    boolean mayRead(HubEvent e, SelectorCache cache) {
        return mayRead(e.topics(), e.isPrivate(), cache);
    }

    /** True when an event on {@code topics} is public or it is authorized for one of them. */
    boolean mayRead(List<String> topics, boolean isPrivate, SelectorCache cache) {
        return !isPrivate || cache.anyMatches(privateSelectors, topics);
    }
}
