package dev.runnel.internal;

import dev.runnel.Dialect;

import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One published event as the hub keeps it: rendered once, encoded once per dialect on first use, and
 * shared by every subscriber of that dialect and by the replay buffer.
 */
public final class HubEvent implements Encoded {

    private final long seq;
    private final String id;
    private final List<String> topics;
    private final boolean isPrivate;
    /** The publisher's id, {@code null} when the hub gave it. */
    private final String publisherId;
    private final Prepared prepared;
    /** How many topic buffers hold it; guarded by the hub's lock. */
    int buffers;
    private final long publishedNanos;
    private final int lines;
    private final AtomicReferenceArray<byte[]> encoded = new AtomicReferenceArray<>(Dialect.values().length);

    /**
     * @param seq the hub-wide sequence number
     * @param id the id on the wire
     * @param topic the topic it was published to
     * @param prepared the rendered value
     * @param publishedNanos {@link System#nanoTime()} at publish, for the replay age
     */
    HubEvent(long seq, String id, String topic, Prepared prepared, long publishedNanos) {
        this(seq, id, List.of(topic), false, null, prepared, prepared.toEvent(Dialect.HTMX2), publishedNanos);
    }

    /**
     * As above, on {@code topics} (canonical first), private or not, with the publisher's id or
     * {@code null}, and {@code prepared} already framed in the usual dialect ({@code usual}, without id).
     */
    HubEvent(long seq, String id, List<String> topics, boolean isPrivate, String publisherId, Prepared prepared,
             dev.runnel.SseEvent usual, long publishedNanos) {
        this.seq = seq;
        this.id = id;
        this.topics = topics;
        this.isPrivate = isPrivate;
        this.publisherId = publisherId;
        this.prepared = prepared;
        this.publishedNanos = publishedNanos;
        // the usual dialect is encoded at once, the others when a subscriber first needs them
        this.encoded.set(Dialect.HTMX2.ordinal(), usual.withId(id).encode());
        this.lines = usual.dataLineCount();
    }

    @Override
    public byte[] bytes(Dialect dialect) {
        byte[] bytes = encoded.get(dialect.ordinal());
        if (bytes == null) {
            // a rare race encodes twice and keeps the first: same bytes, one wasted array
            encoded.compareAndSet(dialect.ordinal(), null, prepared.toEvent(dialect).withId(id).encode());
            bytes = encoded.get(dialect.ordinal());
        }
        return bytes;
    }

    /** Size in the usual dialect: what a subscriber's queue counts. */
    int size() {
        return bytes(Dialect.HTMX2).length;
    }

    public long seq() {
        return seq;
    }

    @Override
    public String id() {
        return id;
    }

    /** The canonical topic. */
    public String topic() {
        return topics.get(0);
    }

    /** Every topic, canonical first. */
    public List<String> topics() {
        return topics;
    }

    public boolean isPrivate() {
        return isPrivate;
    }

    /** The publisher's id, or {@code null} when the hub gave the id. */
    String publisherId() {
        return publisherId;
    }

    /** The dialect-neutral kind of event (a fragment's target, else the event name): coalescing's key. */
    @Override
    public String event() {
        return prepared.key();
    }

    @Override
    public int lines() {
        return lines;
    }

    public long publishedNanos() {
        return publishedNanos;
    }
}
