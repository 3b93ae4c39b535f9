package dev.runnel;

/**
 * Application code that produces a stream's values with plain blocking calls.
 *
 * <p>It runs on its own virtual thread. Sleeping, blocking I/O and waiting on queues are all fine.
 * When the client leaves or the server stops, the thread is interrupted: a blocking call throws
 * {@link InterruptedException} (or {@link java.nio.channels.ClosedByInterruptException}) and
 * {@link Emitter#emit} throws; let it propagate, and put cleanup in {@code finally}. It runs exactly
 * once, on every path.
 */
@FunctionalInterface
public interface Producer {

    /**
     * Produces the stream's values. Returning ends the stream normally; throwing ends it with an
     * error event (unless the exception is a client disconnect).
     */
    void produce(Emitter out) throws Exception;
}
