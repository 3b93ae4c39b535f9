package dev.runnel.internal;

import dev.runnel.Dialect;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One published event as the hub keeps it: rendered once, encoded once per dialect on first use, and
 * shared by every subscriber of that dialect and by the replay buffer.
 */
public final class HubEvent implements Encoded {

    private final long seq;
    private final String id;
    private final String topic;
    private final Prepared prepared;
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
        this(seq, id, topic, prepared, prepared.toEvent(Dialect.HTMX2), publishedNanos);
    }

    /** As above, with {@code prepared} already framed in the usual dialect ({@code usual}, without id). */
    HubEvent(long seq, String id, String topic, Prepared prepared, dev.runnel.SseEvent usual, long publishedNanos) {
        this.seq = seq;
        this.id = id;
        this.topic = topic;
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

    public String topic() {
        return topic;
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
