package dev.runnel.hub;

/**
 * What a publish did.
 *
 * @param id the id the hub gave the event
 * @param subscribers how many subscriptions on this node were registered for the event when it was
 *     recorded: the publish answers once the event is handed to the fan-out, so some of them may
 *     still be cut off as slow (or because handing it to them failed) instead of receiving it. On a
 *     hub with a {@link HubLog} (several nodes), how many this node had when it was stored: they, and
 *     the other nodes' subscribers, receive it through their node's reader a moment later
 */
public record Published(String id, int subscribers) {
}
