package dev.runnel.internal;

/**
 * One published event as the hub keeps it: encoded once, shared by every subscriber and by the
 * replay buffer.
 *
 * @param seq the hub-wide sequence number
 * @param id the id on the wire
 * @param topic the topic it was published to
 * @param event event name, or {@code null}
 * @param bytes the wire bytes, id included
 * @param lines number of data lines
 * @param publishedNanos {@link System#nanoTime()} at publish, for replay age and latency
 */
public record HubEvent(long seq, String id, String topic, String event, byte[] bytes, int lines, long publishedNanos)
        implements Encoded {
}
