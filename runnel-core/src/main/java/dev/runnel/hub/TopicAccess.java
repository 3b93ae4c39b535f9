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
    };

    default boolean maySubscribe(RequestContext request, String topic) {
        return true;
    }

    default boolean mayPublish(RequestContext request, String topic) {
        return true;
    }
}
