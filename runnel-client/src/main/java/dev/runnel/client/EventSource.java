package dev.runnel.client;

import dev.runnel.client.internal.RealEventSource;

import java.net.URI;
import java.util.Iterator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A client for one server-sent event stream, read the way a browser's {@code EventSource} reads
 * it: the WHATWG event stream format, {@code Last-Event-ID} on reconnect, the server's
 * {@code retry}, and a {@code 204} or a non-{@code 200} answer ending it for good. Built on the
 * JDK's {@code HttpClient} (HTTP/1.1 and HTTP/2); depends on nothing else.
 *
 * <p>Two ways to consume a source, chosen when it is created:
 * <ul>
 *   <li>{@link #connect(URI, EventSourceOptions, EventSourceListener)} connects at once and calls
 *       the listener on a virtual thread of the source's own;</li>
 *   <li>{@link #open(URI, EventSourceOptions)} returns a source that is read by iterating it on
 *       the caller's thread ({@link #iterator()}, {@link #events()}), blocking until the next
 *       event: plain code for a virtual thread. It connects on the first {@code hasNext()}.</li>
 * </ul>
 *
 * <p>Closing: {@link #close()} may be called from any thread, any number of times. It is prompt: it
 * cancels a connection attempt, aborts a blocked read and a wait before reconnecting; it
 * interrupts no one. When it returns, the listener has had its last call ({@code onClosed}) and no
 * thread of the source is left, and the {@code HttpClient} it created for itself has stopped: its
 * selector thread has ended, and its worker threads end moments later with their last task (it waits
 * for a listener call in progress to return; called from the listener, all this happens as soon
 * as the listener returns). A source that ends by itself releases the same way, so {@code close()}
 * is then only needed to wait for that. Use try-with-resources.
 *
 * <p>An iterated source that is not closed is still released: an iterator or {@link #events()}
 * stream that runs to the end closes the source, and one left early ({@code events().limit(2)},
 * {@code findFirst()}, a loop that breaks) has its connection closed and its own client shut down
 * once the source is no longer reachable (by a {@link java.lang.ref.Cleaner}, so at the garbage
 * collector's pace: close it to release it at once).
 *
 * <p>Redirects are followed by the source itself, up to five from each request, except from
 * {@code https} to {@code http}; the client a source creates follows none on its own. A client
 * given in {@link EventSourceOptions#httpClient()} that follows redirects ({@code Redirect.NORMAL}
 * or {@code ALWAYS}) follows them first by its own policy, and the source then follows up to five
 * more of those it returns: give one with {@code Redirect.NEVER} to have the source's policy
 * alone. Each reconnect starts from
 * {@link #uri()}. Every hop gets {@code Last-Event-ID} and the options' headers, except that, as
 * the JDK client does, {@code Authorization}, {@code Cookie}, {@code Origin} and {@code Referer}
 * are not sent once a redirect leads to another origin (scheme and authority).
 *
 * <p>A stream that completes no line (no event field, no comment) for
 * {@link EventSourceOptions#readTimeout()} is dropped and reconnected, as after a failure: bytes
 * that trickle in without ending a line do not hold it open.
 *
 * <p>Memory is bounded by {@link EventSourceOptions#maxLineSize()} and
 * {@link EventSourceOptions#maxEventSize()}; a larger line or event ends the source with
 * {@link StreamEnd.TooLarge}.
 */
public interface EventSource extends AutoCloseable, Iterable<MessageEvent> {

    /** Connects to {@code uri} and delivers to {@code listener}, with {@link EventSourceOptions#DEFAULTS}. */
    static EventSource connect(URI uri, EventSourceListener listener) {
        return connect(uri, EventSourceOptions.DEFAULTS, listener);
    }

    /** Connects to {@code uri} and delivers to {@code listener}, on a virtual thread of the source's own. */
    static EventSource connect(URI uri, EventSourceOptions options, EventSourceListener listener) {
        return RealEventSource.start(uri, options, listener);
    }

    /** A source to iterate, with {@link EventSourceOptions#DEFAULTS}. */
    static EventSource open(URI uri) {
        return open(uri, EventSourceOptions.DEFAULTS);
    }

    /**
     * A source to iterate on one thread; nothing happens until the first {@code hasNext()}, which
     * connects. Use it in try-with-resources.
     */
    static EventSource open(URI uri, EventSourceOptions options) {
        return RealEventSource.pull(uri, options);
    }

    /** The URI this source connects to. */
    URI uri();

    /**
     * The last event id: what a reconnect would send as {@code Last-Event-ID} ({@code ""}: none).
     * Safe to call from any thread.
     */
    String lastEventId();

    /** Why the source ended, once it has; empty while it runs. Safe to call from any thread. */
    Optional<StreamEnd> end();

    /**
     * The events, in order, blocking in {@code hasNext()} until the next one arrives (reconnecting
     * as the options say); {@code hasNext()} is false once the source has ended, and {@link #end()}
     * then says why. Comments are skipped. One iterator per source, used by one thread at a time.
     * Interrupting that thread while it waits closes the source ({@link StreamEnd.Closed}) and
     * leaves the thread's interrupt status set.
     *
     * @throws IllegalStateException if the source delivers to a listener, or was iterated before
     */
    @Override
    Iterator<MessageEvent> iterator();

    /**
     * {@link #iterator()} as a sequential {@code Stream}; closing the stream closes the source, and
     * so does reaching its end. A stream left early releases the source once it is unreachable
     * (see the class documentation).
     */
    Stream<MessageEvent> events();

    /** Ends the source: see the class documentation. Never throws. */
    @Override
    void close();
}
