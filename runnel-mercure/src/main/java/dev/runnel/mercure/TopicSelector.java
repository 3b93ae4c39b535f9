package dev.runnel.mercure;

import java.util.Objects;

/**
 * A Mercure topic selector: any string, matched against a topic as the draft's "Topic Selectors"
 * section says: {@code *} matches every topic; a selector matches the identical string (so a
 * template matches itself); a selector that is a valid URI template also matches the topics it
 * expands to ({@link UriTemplate}); nothing else matches.
 *
 * <p>The template is parsed once, when the selector is made. Immutable and safe to share
 * between threads.
 */
public final class TopicSelector {

    private static final String ALL = "*";

    private final String selector;
    /** {@code null} for {@code *} and for selectors that are not templates. */
    private final UriTemplate template;

    private TopicSelector(String selector, UriTemplate template) {
        this.selector = selector;
        this.template = template;
    }

    /** The selector {@code selector}; never fails, as any string is a selector. */
    public static TopicSelector of(String selector) {
        Objects.requireNonNull(selector, "selector");
        if (selector.equals(ALL)) {
            return new TopicSelector(selector, null);
        }
        UriTemplate template;
        try {
            template = UriTemplate.parse(selector);
        } catch (IllegalArgumentException notATemplate) {
            template = null;
        }
        return new TopicSelector(selector, template);
    }

    /** Whether {@code topic} matches this selector. */
    public boolean matches(String topic) {
        Objects.requireNonNull(topic, "topic");
        return selector.equals(ALL) || selector.equals(topic) || template != null && template.matches(topic);
    }

    /** Whether this selector is a valid URI template (a plain IRI is one, without expressions). */
    public boolean isTemplate() {
        return template != null;
    }

    /** The selector as given. */
    public String selector() {
        return selector;
    }

    @Override
    public String toString() {
        return selector;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicSelector other && other.selector.equals(selector);
    }

    @Override
    public int hashCode() {
        return selector.hashCode();
    }
}
