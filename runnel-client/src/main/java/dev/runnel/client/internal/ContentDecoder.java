package dev.runnel.client.internal;

import java.io.IOException;

/**
 * Undoes one response's {@code Content-Encoding} as bytes arrive: whatever a chunk completes is
 * passed on at once, so a stream flushed after every event is delivered event by event. One
 * thread decodes at a time; {@link #close()} may come from any thread, also during a decode, which
 * then fails with an {@code IOException} (native memory is freed once, when it returns).
 */
public interface ContentDecoder extends AutoCloseable {

    /** Where decoded bytes go; they are only valid during the call. */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] bytes, int offset, int length) throws IOException;
    }

    /** Decodes {@code length} bytes of {@code coded} from {@code offset}; passes on all it can. */
    void decode(byte[] coded, int offset, int length, Sink sink) throws IOException;

    /** The body ended: throws when it ended inside the coding (truncated). */
    void end() throws IOException;

    /** Frees the decoder's state; idempotent, never throws, any thread. */
    @Override
    void close();
}
