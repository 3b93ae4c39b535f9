package dev.runnel.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a subscription by selector asks of the hub ({@link Hub#subscribe(dev.runnel.RequestContext, SubscribeRequest)}):
 * its selectors, the topics it may receive private updates of, where it resumes, and whether it gets
 * Runnel's control events.
 *
 * <pre>{@code
 * SubscribeRequest wanted = SubscribeRequest.builder()
 *         .select(TopicSelector.exact("https://example.com/books/1"))
 *         .select(TopicSelector.matching("https://example.com/users/{id}", template::matches))
 *         .privateSelectors(List.of(TopicSelector.ANY))
 *         .resumeAfter(lastEventId)
 *         .resetEvents(false)
 *         .build();
 * }</pre>
 *
 * @param selectors what the subscription receives: 1 to {@link HubOptions#maxSelectors()}, each once
 * @param privateSelectors the topics it is authorized for: a private update reaches it (live or in a
 *     replay) only when one of these matches one of the update's topics; empty for none
 * @param lastEventId the id to resume after, or {@code null}
 * @param earliest when true, everything the hub still holds for the selectors is sent first
 * @param resetEvents when true (the default), an id that cannot be resumed from gets a
 *     {@code runnel:reset} event; when false, nothing is sent for it (protocols that report it
 *     otherwise, as Mercure does with a header)
 */
public record SubscribeRequest(List<TopicSelector> selectors, List<TopicSelector> privateSelectors,
                               String lastEventId, boolean earliest, boolean resetEvents) {

    public SubscribeRequest {
        selectors = List.copyOf(selectors);
        privateSelectors = List.copyOf(privateSelectors);
        if (earliest && lastEventId != null) {
            throw new IllegalArgumentException("resume after an id or from the earliest event, not both");
        }
    }

    /** A request for these exact topics, resuming after {@code lastEventId} (may be {@code null}). */
    public static SubscribeRequest topics(List<String> topics, String lastEventId) {
        Builder b = builder().resumeAfter(lastEventId);
        topics.forEach(t -> b.select(TopicSelector.exact(t)));
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link SubscribeRequest}. */
    public static final class Builder {
        private final List<TopicSelector> selectors = new ArrayList<>();
        private final List<TopicSelector> privateSelectors = new ArrayList<>();
        private String lastEventId;
        private boolean earliest;
        private boolean resetEvents = true;

        private Builder() {
        }

        /** Adds a selector. */
        public Builder select(TopicSelector selector) {
            selectors.add(Objects.requireNonNull(selector, "selector"));
            return this;
        }

        /** Adds selectors. */
        public Builder select(List<TopicSelector> more) {
            more.forEach(this::select);
            return this;
        }

        /** The topics whose private updates this subscription may receive. */
        public Builder privateSelectors(List<TopicSelector> authorized) {
            privateSelectors.clear();
            authorized.forEach(s -> privateSelectors.add(Objects.requireNonNull(s, "private selector")));
            return this;
        }

        /** Resume after this id ({@code null}: live events only). */
        public Builder resumeAfter(String id) {
            this.lastEventId = id;
            this.earliest = false;
            return this;
        }

        /** Send everything still held for the selectors first. */
        public Builder fromEarliest() {
            this.lastEventId = null;
            this.earliest = true;
            return this;
        }

        /** Whether an id that cannot be resumed from gets a {@code runnel:reset} event (default true). */
        public Builder resetEvents(boolean send) {
            this.resetEvents = send;
            return this;
        }

        public SubscribeRequest build() {
            return new SubscribeRequest(selectors, privateSelectors, lastEventId, earliest, resetEvents);
        }
    }
}
