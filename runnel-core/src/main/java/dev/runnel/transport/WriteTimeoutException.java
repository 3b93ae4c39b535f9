package dev.runnel.transport;

import java.io.IOException;
import java.time.Duration;

/**
 * A write blocked for longer than the transport's write timeout: the client is connected but does
 * not read. Thrown by {@link SseTransport#write}, so the lifecycle (and its metrics) can tell a
 * client that stalls from one that went away.
 */
public final class WriteTimeoutException extends IOException {

    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    public WriteTimeoutException(Duration timeout) {
        super("write timed out after " + timeout.toMillis() + " ms: the client is not reading");
        this.timeout = timeout;
    }

    /** The write timeout that ran out. */
    public Duration timeout() {
        return timeout;
    }
}
