package dev.runnel.hub;

/** What the hub does with a subscriber whose outbound queue is full. */
public enum SlowClientPolicy {
    /**
     * Cut the connection (the default). The browser reconnects by itself and resumes by
     * {@code Last-Event-ID}, so it loses nothing that is still in the replay buffer.
     */
    DISCONNECT,
    /**
     * Latest value wins: drop the queued events that have the new event's name, then queue it; for
     * dashboards, where only the newest value of each panel matters. When nothing can be dropped the
     * connection is cut as with {@link #DISCONNECT}.
     */
    COALESCE_BY_EVENT_NAME
}
