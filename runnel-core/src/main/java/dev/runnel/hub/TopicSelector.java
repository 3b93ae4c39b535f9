package dev.runnel.hub;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which topics a subscription receives: one exact topic, every topic ({@code *}), or the topics a
 * matcher accepts (a URI template, say). A subscription holds a set of them
 * ({@link SubscribeRequest}); an update reaches it when one of its selectors matches one of the
 * update's topics.
 *
 * <p>Exact topics are looked up directly, whatever the number of subscriptions. A matcher is asked
 * once per distinct topic and its answer cached by the hub, in a cache of bounded size shared by every
 * selector with the same {@link Matching#key()}: two selectors with one key must match the same topics.
 */
public sealed interface TopicSelector {

    /** Every topic. */
    TopicSelector ANY = new Any();

    /** The selector of exactly {@code topic}. */
    static TopicSelector exact(String topic) {
        return new Exact(topic);
    }

    /** Every topic. */
    static TopicSelector any() {
        return ANY;
    }

    /**
     * The topics {@code matcher} accepts. {@code key} names what it matches (a template's text, for
     * instance) and keys the hub's cache of its answers. The matcher runs under the hub's lock: it must
     * be quick, thread-safe and pure; one that throws counts as not matching.
     */
    static TopicSelector matching(String key, Predicate<String> matcher) {
        return new Matching(key, matcher);
    }

    /** True when this selector takes {@code topic}, asked directly (uncached). */
    boolean test(String topic);

    /** Exactly one topic. */
    record Exact(String topic) implements TopicSelector {
        public Exact {
            Objects.requireNonNull(topic, "topic");
        }

        @Override
        public boolean test(String candidate) {
            return topic.equals(candidate);
        }
    }

    /** Every topic: {@code *}. */
    record Any() implements TopicSelector {
        @Override
        public boolean test(String candidate) {
            return true;
        }
    }

    /** The topics a matcher accepts; equal when their keys are. */
    record Matching(String key, Predicate<String> matcher) implements TopicSelector {
        public Matching {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(matcher, "matcher");
        }

        @Override
        public boolean test(String candidate) {
            return matcher.test(candidate);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Matching m && m.key.equals(key);
        }

        @Override
        public int hashCode() {
            return key.hashCode();
        }

        @Override
        public String toString() {
            return "Matching[" + key + "]";
        }
    }
}
