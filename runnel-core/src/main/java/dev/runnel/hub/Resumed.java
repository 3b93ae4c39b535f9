package dev.runnel.hub;

/**
 * How a subscription resumes, known when {@link Hub#subscribe(dev.runnel.RequestContext, SubscribeRequest)}
 * returns, before any response header is written.
 */
public enum Resumed {
    /** No id was asked for: live events only. */
    NONE,
    /** The id asked for names an event still held that this subscription could receive; the events after it follow. */
    FOUND,
    /** Everything still held for the subscription's selectors follows ({@link SubscribeRequest.Builder#fromEarliest()}). */
    EARLIEST,
    /**
     * The id asked for is unknown, malformed, or no longer held with everything after it: no history
     * follows (a subscription with {@link SubscribeRequest#resetEvents()} gets a {@code runnel:reset} event instead).
     */
    NOT_FOUND
}
