package dev.runnel;

import java.util.Map;

/**
 * Receives the lifecycle phases of every stream, for logging, metrics or tests.
 *
 * <p>Called on the stream's own threads (and, for {@link TracePhase#DISCONNECT}, on the transport's
 * disconnect thread), so implementations must be thread-safe and quick. An exception thrown by a
 * sink is logged and otherwise ignored: tracing never breaks a stream.
 */
@FunctionalInterface
public interface TraceSink {

    /**
     * @param streamId the stream's identifier, unique within the engine
     * @param phase what happened
     * @param payload small details for the phase; never {@code null}
     */
    void trace(long streamId, TracePhase phase, Map<String, Object> payload);
}
