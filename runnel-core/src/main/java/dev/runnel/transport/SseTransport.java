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
 * order, one at a time (on a virtual thread, so blocking is expected). {@link #abort} may be
 * called from any thread, at any time, also while a write blocks. The transport owns the connection;
 * the lifecycle owns the response and ends it exactly once, with {@code complete} or {@code abort}.
 *
 * <p>Non-blocking writes: a transport whose server can write without blocking a thread says so with
 * {@link #writesAsync()} and implements {@link #writeAsync}. The lifecycle then serves a hub
 * subscription without a thread of its own: after the head (and the retry event) were written with
 * {@link #write}, every later write is a {@code writeAsync}, started by one of the engine's write
 * loops (platform threads, each serving many connections) and finished by the transport's callback.
 * At most one write, blocking or not, is in progress at a time; {@link #complete} and
 * {@link #abort} may then come from any thread. A transport without non-blocking writes needs
 * neither method: every stream is then written with {@link #write} from a thread of its own.
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

    /**
     * True when this transport implements {@link #writeAsync}; false (the default) when it can only
     * write with {@link #write}. Must give the same answer for the life of the response.
     */
    default boolean writesAsync() {
        return false;
    }

    /**
     * Starts writing bytes and returns without waiting for them; {@code done} is told once the bytes
     * are handed to the network ({@link WriteCallback#written}) or the write failed
     * ({@link WriteCallback#failed}). The buffer is not modified and may be shared with other
     * connections; the caller does not touch it until {@code done} is told.
     *
     * <p>Contract: the call never blocks, also not on a client that does not read (a write loop
     * serves many connections); it is called only when no other write is in progress; {@code done}
     * is told exactly once, on any thread, possibly before this method returns; a write that cannot
     * start is reported through {@code done}, not thrown. After {@link #abort}, a pending write may
     * be failed or never told: the lifecycle does not wait for it. The transport does not time the
     * write itself: the lifecycle aborts the response with a {@link WriteTimeoutException} once a
     * write has waited longer than {@link #writeTimeout()}. {@code done}'s methods do not block and
     * do not throw.
     *
     * @throws UnsupportedOperationException when {@link #writesAsync()} is false (the default)
     */
    default void writeAsync(ByteBuffer bytes, WriteCallback done) {
        throw new UnsupportedOperationException(getClass().getName() + " has no non-blocking writes");
    }

    /**
     * How long one {@link #writeAsync} may wait on a client that does not read before the lifecycle
     * aborts the response; a blocking {@link #write} is timed by the transport itself. Default 30 s.
     */
    default Duration writeTimeout() {
        return Duration.ofSeconds(30);
    }

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

    /** How a {@link #writeAsync} ended: exactly one of the two, once per write. */
    interface WriteCallback {

        /** The bytes were handed to the network. */
        void written();

        /** The write failed: the client is gone, or the response was aborted. */
        void failed(Throwable failure);
    }
}
