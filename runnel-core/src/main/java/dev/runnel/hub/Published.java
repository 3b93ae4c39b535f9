package dev.runnel.hub;

/**
 * What a publish did.
 *
 * @param id the id the hub gave the event
 * @param subscribers how many subscribers of the topic on this node it was handed to; on a hub with a
 *     {@link HubLog} (several nodes), how many this node had when it was stored: they, and the other
 *     nodes' subscribers, receive it through their node's reader a moment later
 */
public record Published(String id, int subscribers) {
}
