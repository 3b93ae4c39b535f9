package dev.runnel.servlet.internal;

import jakarta.servlet.http.HttpServletResponse;

import java.time.Duration;

/**
 * What a container offers one streaming response beyond the Servlet API, which has no close
 * notification, no idle-timeout control and no way to cut a connection. {@link #NONE} is the
 * portable answer: the container's own async error dispatch ({@code AsyncListener.onError}) and a
 * failing write are then the only disconnect signals.
 */
public interface ConnectionHooks {

    /** Nothing beyond the Servlet API. */
    ConnectionHooks NONE = new ConnectionHooks() {
    };

    /** Sets a response header; a container may need to be told some headers in its own terms. */
    default void setHeader(HttpServletResponse response, String name, String value) {
        response.setHeader(name, value);
    }

    /** Runs {@code listener} once when the client leaves, without waiting for a write. Must not block. */
    default void onClientGone(Runnable listener) {
    }

    /** Keeps the connection's idle timeout above {@code heartbeat} for the life of the stream. */
    default void keepIdleAbove(Duration heartbeat) {
    }

    /**
     * Stops watching and restores what {@link #keepIdleAbove} changed. Returns false when the
     * connection can no longer carry another request.
     */
    default boolean release() {
        return true;
    }

    /** Closes the connection at once, so the client sees an incomplete response rather than a clean end. */
    default void closeConnection(Throwable cause) {
    }
}
