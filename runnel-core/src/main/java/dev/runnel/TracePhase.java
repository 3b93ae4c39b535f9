package dev.runnel;

import java.util.Locale;

/** The lifecycle phases a {@link TraceSink} is told about, in the order they can happen. */
public enum TracePhase {
    /** Headers sent. Payload: {@code heartbeat_s}. */
    START,
    /** Retry meta event sent. Payload: {@code retry_ms}. */
    RETRY,
    /** Heartbeat comment sent on an idle stream. */
    HEARTBEAT,
    /** One value written. Payload: {@code type}, {@code event}, {@code id}, {@code retry}, {@code lines}. */
    EVENT,
    /** Formatting one value failed; an error event was sent instead. Payload: {@code type}, {@code error}. */
    RENDER_ERROR,
    /** A write to the client failed. Payload: {@code error}. */
    SEND_FAILED,
    /** The producer was cancelled. Payload: {@code reason}. */
    CANCELLED,
    /** The producer ended with a client-disconnect error (benign). Payload: {@code error}. */
    CLIENT_DISCONNECT,
    /** The producer failed. Payload: {@code error}. */
    PRODUCER_ERROR,
    /** The disconnect monitor saw the client leave. */
    DISCONNECT,
    /** Close event sent. Payload: {@code event}. */
    CLOSE_EVENT,
    /** The response is complete. Payload: {@code reason}, {@code events}. */
    CLOSED;

    /** The snake_case name used in logs and by the seed ({@code render_error}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
