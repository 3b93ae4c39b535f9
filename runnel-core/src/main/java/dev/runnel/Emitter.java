package dev.runnel;

/**
 * Where a {@link Producer} puts its values. Only the producer's own thread may use it.
 */
public interface Emitter {

    /**
     * Queues one value for the client: an {@link SseEvent}, a {@link Fragment}, a string, a map,
     * collection, array or record (sent as JSON), or anything else (sent as {@code toString()}).
     * Blocks while the connection's queue is full, so a producer never runs far ahead of its client.
     *
     * @throws InterruptedException when the stream is cancelled while waiting
     * @throws java.util.concurrent.CancellationException when the stream was already cancelled
     *     (client gone, server stopping); the producer should stop
     */
    void emit(Object value) throws InterruptedException;

    /** The request this stream answers, as it was at connect time. */
    RequestContext context();

    /** True once the stream is cancelled; a producer in a long computation may poll it. */
    boolean isCancelled();
}
