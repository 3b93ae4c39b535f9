package dev.runnel.compress;

import java.nio.ByteBuffer;

/**
 * The compressor of one connection's response body. It keeps its window from one call to the next,
 * so repeats across events are sent as back-references, and it ends every {@link #compress} with a
 * flush that keeps the window (a sync flush, never a full flush): everything given so far can be
 * decoded from the bytes returned so far, so each event reaches the client as soon as it is written.
 *
 * <p>Threading: one call at a time (the lifecycle writes one batch at a time), from any thread.
 * {@link #close} may come from any thread, also during a call; the call then fails with an
 * {@link IllegalStateException} and native memory, if any, is freed once, when the call returns.
 */
public interface StreamCompressor extends AutoCloseable {

    /**
     * Compresses {@code bytes} (read from its position to its limit; the buffer itself is not
     * modified) and flushes. The first call's result starts with the coding's header.
     *
     * @return the bytes to send, never empty (a flush alone produces bytes), owned by the caller
     * @throws IllegalStateException after {@link #close}
     */
    ByteBuffer compress(ByteBuffer bytes);

    /**
     * Ends the coded stream (a gzip trailer, a zstd frame end) for a response that completes
     * normally; the compressor is then closed. Also valid before any {@link #compress}.
     *
     * @return the last bytes to send, owned by the caller
     * @throws IllegalStateException after {@link #close}
     */
    ByteBuffer finish();

    /** The compressor's own state in bytes (window, tables, buffers; on or off the heap). */
    long memoryBytes();

    /** Frees the compressor's state. Idempotent; never throws. */
    @Override
    void close();
}
