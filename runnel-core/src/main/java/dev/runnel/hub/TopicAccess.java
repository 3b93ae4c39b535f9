package dev.runnel.hub;

import dev.runnel.RequestContext;

/**
 * The application's rule for who may subscribe to and publish on which topic. Called with the
 * request's context (principal, headers, attributes) as it was at connect time. Must be thread-safe
 * and quick; the default allows everything.
 */
public interface TopicAccess {

    /** Allows everything. */
    TopicAccess ALLOW_ALL = new TopicAccess() {
        @Override
        public boolean maySelect(RequestContext request, TopicSelector selector) {
            return true;
        }
    };

    default boolean maySubscribe(RequestContext request, String topic) {
        return true;
    }

    default boolean mayPublish(RequestContext request, String topic) {
        return true;
    }

    /**
     * Whether the request may subscribe with {@code selector} ({@link Hub#subscribe(RequestContext, SubscribeRequest)}).
     * By default an exact topic asks {@link #maySubscribe}, and any other selector ({@code *}, a matcher)
     * is refused unless this is {@link #ALLOW_ALL}: a rule written for topic names cannot know which
     * topics a pattern reaches, so it must say so itself.
     */
    default boolean maySelect(RequestContext request, TopicSelector selector) {
        return selector instanceof TopicSelector.Exact exact && maySubscribe(request, exact.topic());
    }
}
