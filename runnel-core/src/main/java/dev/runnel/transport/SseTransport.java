package dev.runnel.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

/**
 * One HTTP response, as the lifecycle sees it: the Java counterpart of an ASGI app's
 * {@code send}/{@code receive} pair. A server adapter implements it by translating each call to its
 * server's API; the lifecycle in {@code runnel-core} is the only caller.
 *
 * <p>Threading and ownership: {@link #start}, {@link #write} and {@link #complete} are called in that
 * order from a single thread (a virtual thread, so blocking is expected). {@link #abort} may be
 * called from any thread, at any time, also while a write blocks. The transport owns the connection;
 * the lifecycle owns the response and ends it exactly once, with {@code complete} or {@code abort}.
 */
public interface SseTransport {

    /** True for HTTP/1.0 and HTTP/1.1, where {@code Connection} headers are allowed. */
    boolean isHttp1();

    /**
     * Sends the status line and headers and flushes them at once, before any body byte.
     *
     * @throws IOException when the client is already gone
     */
    void start(int status, Map<String, String> headers) throws IOException;

    /**
     * Writes bytes and flushes them. Blocks until the bytes are handed to the network or the write
     * fails. The buffer is not modified and may be shared with other connections.
     *
     * @throws WriteTimeoutException when the write blocked longer than the transport's write timeout
     * @throws IOException when the client is gone
     */
    void write(ByteBuffer bytes) throws IOException;

    /** Ends the response normally. Calling it again, or after {@link #abort}, does nothing. */
    void complete();

    /** Ends the response abnormally, closing the stream (and on HTTP/1.1 the connection). Idempotent. */
    void abort(Throwable cause);

    /**
     * Registers the disconnect monitor: {@code listener} runs once, as soon as the transport learns
     * that the client went away, without waiting for a write to fail. It may run on any thread, and
     * at once if the client is already gone. It must not block.
     */
    void onDisconnect(Runnable listener);

    /**
     * Asks the transport to keep the connection's idle timeout above {@code heartbeat}, so a quiet
     * but healthy stream is not closed between heartbeats. Transports without idle timeouts ignore it.
     */
    default void keepIdleAbove(Duration heartbeat) {
    }
}
