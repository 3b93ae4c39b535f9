package dev.runnel.client;

import dev.runnel.client.internal.ContentDecoder;
import dev.runnel.client.internal.ContentDecoders;
import dev.runnel.client.internal.EventStreamParser;
import dev.runnel.client.internal.UnsupportedCodingException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Reads the body of a {@code text/event-stream}, fed in chunks of any size, and reports the
 * events, comments and {@code retry} fields it finds: the parser {@link EventSource} reads with,
 * for bytes that arrive some other way (a socket or client of your own, a file, a test).
 *
 * <p>It follows the WHATWG "event stream interpretation" exactly: CR LF, LF and CR end a line (a
 * CR LF split across two chunks is one line end), a leading byte order mark is skipped, the last
 * event id persists from event to event, and an event is dispatched by an empty line only. It
 * neither connects nor reconnects.
 *
 * <p>Threading: not thread-safe. One reader per stream, fed by one thread; the listener is called
 * on that thread, inside {@link #feed}. A listener that throws stops the feed and the exception
 * reaches the caller of {@code feed}; the reader is then spent.
 *
 * <pre>{@code
 * EventStreamReader reader = new EventStreamReader(event -> System.out.println(event.data()));
 * for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
 *     reader.feed(buf, 0, n);
 * }
 * reader.end();
 * }</pre>
 */
public final class EventStreamReader {

    /**
     * Receives what a reader finds, on the thread that feeds it. Only {@link #onEvent} must be
     * implemented, so a lambda will do.
     */
    @FunctionalInterface
    public interface Listener {

        /** An event was dispatched (an empty line ended it, and it had data). */
        void onEvent(MessageEvent event);

        /** A comment line ({@code :} then text; one space after the colon is dropped). */
        default void onComment(String comment) {
        }

        /** A {@code retry} field of ASCII digits only: the server's reconnection time. */
        default void onRetry(long millis) {
        }
    }

    private final EventStreamParser parser;
    private final ContentDecoder decoder; // null: the bytes are not coded
    private boolean spent;

    /** A reader with {@link EventSourceOptions#DEFAULTS}' limits and no last event id. */
    public EventStreamReader(Listener listener) {
        this(listener, EventSourceOptions.DEFAULTS);
    }

    /**
     * A reader with the {@link EventSourceOptions#lastEventId() lastEventId},
     * {@link EventSourceOptions#maxLineSize() maxLineSize} and
     * {@link EventSourceOptions#maxEventSize() maxEventSize} of {@code options}; its other settings
     * are about connections and are not used.
     */
    public EventStreamReader(Listener listener, EventSourceOptions options) {
        this(listener, options, null);
    }

    /**
     * A reader of a body coded as its {@code Content-Encoding} says: {@code gzip}, {@code zstd}
     * (with zstd-jni on the class path), or {@code identity}/{@code null} for none. The coded bytes
     * are decoded as they are fed, so each event is reported as soon as the bytes that complete it
     * are; {@link #end()} then also checks that the coded stream was complete, and frees the
     * decoder (call it, or feed until a feed fails, to free a zstd decoder's native memory).
     *
     * @throws IllegalArgumentException for a coding this client cannot decode, naming those it can
     */
    public static EventStreamReader forContentEncoding(String contentEncoding, Listener listener, EventSourceOptions options) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(options, "options");
        try {
            return new EventStreamReader(listener, options, ContentDecoders.open(contentEncoding));
        } catch (UnsupportedCodingException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private EventStreamReader(Listener listener, EventSourceOptions options, ContentDecoder decoder) {
        this.decoder = decoder;
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(options, "options");
        this.parser = new EventStreamParser(new EventStreamParser.Handler() {
            @Override
            public void onEvent(MessageEvent event) {
                listener.onEvent(event);
            }

            @Override
            public void onComment(String comment) {
                listener.onComment(comment);
            }

            @Override
            public void onRetry(long millis) {
                listener.onRetry(millis);
            }
        }, options.lastEventId(), options.maxLineSize(), options.maxEventSize());
    }

    /**
     * Reads {@code length} bytes of {@code bytes} from {@code offset}, calling the listener for
     * every complete event, comment and {@code retry} line among them. A line not yet ended is kept
     * for the next call.
     *
     * @throws IOException when a line is longer than {@code maxLineSize} or an event's data longer
     *     than {@code maxEventSize}, the message naming the limit; or when coded bytes are corrupt.
     *     The reader is then spent
     * @throws IllegalStateException when the reader is spent: an earlier feed threw, or the stream
     *     was {@link #end() ended}
     * @throws IndexOutOfBoundsException when the range is not inside {@code bytes}
     */
    public void feed(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (spent) {
            throw new IllegalStateException("this EventStreamReader is spent: a feed failed or end() was called");
        }
        spent = true;
        if (decoder == null) {
            parser.feed(bytes, offset, length);
        } else {
            try {
                decoder.decode(bytes, offset, length, parser::feed);
            } catch (IOException | RuntimeException | Error e) {
                decoder.close();
                throw e;
            }
        }
        spent = false;
    }

    /**
     * The stream ended: an event not yet ended by an empty line is discarded, as a browser does.
     * The reader is spent afterwards.
     *
     * @throws UncheckedIOException for a {@link #forContentEncoding coded} stream that ended inside
     *     the coding (truncated); what was decoded before was reported
     */
    public void end() {
        boolean wasSpent = spent;
        spent = true;
        parser.end();
        if (decoder != null && !wasSpent) {
            try {
                decoder.end();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                decoder.close();
            }
        } else if (decoder != null) {
            decoder.close();
        }
    }

    /** The last event id as of the last dispatch (an {@code id} field persists): {@code ""} for none. */
    public String lastEventId() {
        return parser.lastEventId();
    }
}
