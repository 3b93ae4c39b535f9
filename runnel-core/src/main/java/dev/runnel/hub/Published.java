package dev.runnel.hub;

/**
 * What a publish did.
 *
 * @param id the id the hub gave the event
 * @param subscribers how many subscribers of the topic on this node it was handed to
 */
public record Published(String id, int subscribers) {
}
