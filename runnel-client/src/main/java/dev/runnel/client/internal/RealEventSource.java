package dev.runnel.client.internal;

import dev.runnel.client.EventSource;
import dev.runnel.client.EventSourceListener;
import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;
import dev.runnel.client.StreamEnd;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The one {@link EventSource}: a loop that connects, reads, parses and reconnects, driven either by
 * a virtual thread of its own that calls the listener, or by the iterating thread.
 *
 * <p>{@link #nextSignal()} is the whole machine: it returns the next thing that happened (opened,
 * an event, a comment, a failure that will be retried) or {@code null} once the source has ended.
 * Only one thread runs it. {@link #close()} may run on any thread: it sets the closed flag and
 * unblocks whatever {@code nextSignal()} waits on (the pause before a reconnect, a request in
 * flight, a read), without interrupting anyone.
 *
 * <p>What must be let go (the request in flight, the body, a client of its own) is held by a
 * {@link Wire}, released when the source ends or closes. An iterated source has no thread of its own,
 * so one dropped without {@code close()} becomes unreachable: a {@link Cleaner} of its own then
 * releases its wire, and its thread ends. Nothing the client keeps reachable while an exchange
 * lasts refers back to the source.
 */
public final class RealEventSource implements EventSource {

    private static final System.Logger LOG = System.getLogger(RealEventSource.class.getName());
    private static final AtomicLong SOURCES = new AtomicLong();
    private static final int CHUNK = 8192;
    /**
     * A coded body is decoded this many coded bytes at a time, and parsed this many decoded bytes at a
     * time, no further once {@link #QUEUED_MAX} signals wait: a few bytes of gzip or zstd can decode
     * to megabytes of tiny events. What one slice decoded beyond that waits as bytes ({@link #backlog}).
     */
    private static final int CODED_SLICE = 16;
    private static final int PARSE_SLICE = 1024;
    private static final int QUEUED_MAX = 1024;
    private static final Duration CLIENT_STOP = Duration.ofSeconds(5);
    /**
     * A Cleaner per iterated source, not one for all: a Cleaner's thread ends only once the Cleaner
     * is unreachable and nothing it watches is left, so a static one's thread would never end and
     * would keep the context class loader it inherited (a web application's, say) from being
     * collected after a redeploy. The source holds its own, so the thread, a parked virtual one,
     * ends as soon as the source is collected, closed or not.
     */
    private static final java.util.concurrent.ThreadFactory CLEANER_THREADS =
            Thread.ofVirtual().name("runnel-source-cleaner-", 1).factory();

    private final URI uri;
    private final EventSourceOptions options;
    private final Wire wire;
    private final EventSourceListener listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicReference<StreamEnd> end = new AtomicReference<>();
    private final AtomicBoolean iterated = new AtomicBoolean();
    private volatile Thread thread;
    // an iterated source's own, null for a listener's; held so that its thread ends when the source is
    // collected (an unheld one whose source was closed would idle until its next 60 s poll)
    private final Cleaner cleaner;
    private final Cleaner.Cleanable cleanable;
    private volatile String lastEventId;

    // touched only by the thread running nextSignal()
    private final ArrayDeque<Object> ready = new ArrayDeque<>();
    private final byte[] chunk = new byte[CHUNK];
    private final Parsed parsed = new Parsed();
    private final Backoff backoff;
    private EventStreamParser parser;
    private ResponseBody body;
    private ContentDecoder decoder; // null: the body is not coded
    private int codedFrom; // chunk[codedFrom..codedTo) was read and not yet decoded
    private int codedTo;
    private byte[] backlog = new byte[0]; // backlog[backlogFrom..backlogTo): decoded, not yet parsed
    private int backlogFrom;
    private int backlogTo;
    private long openedAt;
    private final LineClock clock;
    private boolean delivered; // a signal was returned since the last read
    private long retryMillis;
    private long waitMillis;
    private int failures;
    private String reportedId; // the last id reported as not sent

    private RealEventSource(URI uri, EventSourceOptions options, EventSourceListener listener) {
        this.uri = requireHttp(uri);
        this.options = Objects.requireNonNull(options, "options");
        this.listener = listener;
        // before the client, which has a thread to stop: should starting the cleaner's thread fail, nothing leaks
        this.cleaner = listener == null ? Cleaner.create(CLEANER_THREADS) : null;
        boolean ownsClient = options.httpClient() == null;
        // NEVER: the source follows redirects itself (Redirects), so one policy counts the hops and
        // a redirect without Location ends the source with its status
        this.wire = new Wire(ownsClient
                ? HttpClient.newBuilder().connectTimeout(options.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build()
                : options.httpClient(), ownsClient);
        this.lastEventId = firstId(options);
        this.retryMillis = options.retry().toMillis();
        this.backoff = new Backoff(options.minRetryDelay().toMillis(), options.maxRetryDelay().toMillis(),
                options.backoffResetAfter().toNanos());
        this.clock = new LineClock(options.readTimeout().toNanos());
        // an iterated source has no thread to keep it reachable: once dropped, release its wire (never the source)
        this.cleanable = cleaner == null ? null : cleaner.register(this, wire::release);
    }

    /** A source that reads on a virtual thread of its own and calls {@code listener}. */
    public static RealEventSource start(URI uri, EventSourceOptions options, EventSourceListener listener) {
        RealEventSource source = new RealEventSource(uri, options, Objects.requireNonNull(listener, "listener"));
        Thread reader = Thread.ofVirtual().name("runnel-client-" + SOURCES.incrementAndGet()).unstarted(source::run);
        source.thread = reader;
        try {
            reader.start();
        } catch (RuntimeException | Error e) {
            source.wire.release(); // no thread will: the client of its own would be left running
            throw e;
        }
        return source;
    }

    /** A source read by iterating it. */
    public static RealEventSource pull(URI uri, EventSourceOptions options) {
        return new RealEventSource(uri, options, null);
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public String lastEventId() {
        return lastEventId;
    }

    @Override
    public Optional<StreamEnd> end() {
        return Optional.ofNullable(end.get());
    }

    @Override
    public Iterator<MessageEvent> iterator() {
        if (listener != null) {
            throw new IllegalStateException("this source delivers to its listener; create it with EventSource.open(...) to iterate it");
        }
        if (!iterated.compareAndSet(false, true)) {
            throw new IllegalStateException("a source can be iterated once");
        }
        return new SourceIterator(this);
    }

    @Override
    public Stream<MessageEvent> events() {
        Spliterator<MessageEvent> events = Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(events, false).onClose(this::close);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            end.compareAndSet(null, new StreamEnd.Closed());
            closing.countDown();
            release();
        }
        Thread reader = thread;
        if (reader != null && reader != Thread.currentThread()) {
            joinUninterruptibly(reader);
        }
        if (wire.ownsClient() && reader != Thread.currentThread() && !Thread.currentThread().isInterrupted()) {
            try {
                wire.awaitClientStopped(CLIENT_STOP); // its selector thread, so that none is left behind
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "EventSource[" + uri + (end.get() == null ? "" : ", ended: " + end.get().reason()) + ']';
    }

    /** The listener's thread: deliver until the source ends, then {@code onClosed}. */
    private void run() {
        try {
            for (Object signal = nextSignal(); signal != null; signal = nextSignal()) {
                switch (signal) {
                    case MessageEvent e -> listener.onEvent(this, e);
                    case Opened o -> listener.onOpen(this, o);
                    case Comment c -> listener.onComment(this, c.text());
                    case Failure f -> listener.onError(this, f.error());
                    case IdNotSent n -> listener.onLastEventIdNotSent(this, n.id());
                    default -> throw new AssertionError(signal);
                }
            }
        } catch (Throwable e) {
            finish(new StreamEnd.Failed(e, 0));
        }
        try {
            listener.onClosed(this, end.get());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "EventSourceListener.onClosed threw for " + uri, e);
        }
    }

    /** Signals parsed and not yet delivered (for tests). */
    int queued() {
        return ready.size();
    }

    /** The next signal, blocking; {@code null} once the source has ended. One thread at a time. */
    Object nextSignal() {
        while (true) {
            if (closed.get()) {
                ready.clear();
                finish(new StreamEnd.Closed());
                return null;
            }
            Object signal = ready.poll();
            if (signal != null) {
                delivered = true;
                return signal;
            }
            if (end.get() != null) {
                return null;
            }
            if (body == null) {
                connect();
            } else {
                read();
            }
        }
    }

    private void connect() {
        String id = lastEventId;
        if (!id.isEmpty() && !LastEventIds.sendable(id) && !id.equals(reportedId)) {
            reportedId = id; // told once per id, before the attempt that leaves it out
            ready.add(new IdNotSent(id));
            return;
        }
        try {
            if (waitMillis > 0 && closing.await(waitMillis, TimeUnit.MILLISECONDS)) {
                return;
            }
            URI target = uri;
            boolean credentials = true;
            for (int hop = 0; ; hop++) {
                HttpResponse<ResponseBody> response = send(target, credentials);
                if (response == null) {
                    return;
                }
                Optional<URI> next = hop < Redirects.MAX_HOPS
                        ? Redirects.target(target, response.statusCode(), response.headers().firstValue("Location"))
                        : Optional.empty();
                if (next.isEmpty()) {
                    accept(response);
                    return;
                }
                response.body().close(); // a redirect the client did not follow: follow it, with the id
                credentials &= Redirects.sameOrigin(target, next.get());
                target = next.get();
            }
        } catch (ExecutionException e) {
            failed(e.getCause(), -1);
        } catch (CancellationException e) {
            // close() cancelled the request
        } catch (InterruptedException e) {
            interrupted();
        }
    }

    /** Sends a request and waits for the response's headers; null when the source ended meanwhile. */
    private HttpResponse<ResponseBody> send(URI target, boolean credentials) throws ExecutionException, InterruptedException {
        ResponseBody subscriber = new ResponseBody();
        CompletableFuture<HttpResponse<ResponseBody>> response;
        try {
            response = wire.client().sendAsync(request(target, credentials), info -> subscriber);
        } catch (RuntimeException e) {
            // refused before any I/O (a shared client that was shut down, say): retrying cannot help
            finish(new StreamEnd.Failed(e, failures + 1));
            return null;
        }
        if (!wire.track(response)) {
            return null;
        }
        try {
            return response.get();
        } finally {
            wire.untrack();
        }
    }

    /** The request to {@code target}; without credentials after a redirect to another origin. */
    private HttpRequest request(URI target, boolean credentials) {
        HttpRequest.Builder request = HttpRequest.newBuilder(target).GET().timeout(options.connectTimeout())
                .header("Accept", "text/event-stream")
                .header("Cache-Control", "no-cache");
        if (options.acceptEncoding()) {
            request.header("Accept-Encoding", ContentDecoders.acceptEncoding()); // a header of the options replaces it
        }
        String id = lastEventId;
        options.headers().forEach((name, value) -> {
            boolean isId = name.equalsIgnoreCase("Last-Event-ID"); // the first id: see firstId
            if (!isId && (credentials || !Redirects.isCredential(name))) {
                request.setHeader(name, value);
            }
        });
        if (LastEventIds.sendable(id)) {
            request.setHeader("Last-Event-ID", id);
            reportedId = null;
        }
        return request.build();
    }

    private void accept(HttpResponse<ResponseBody> response) {
        int status = response.statusCode();
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (status != 200 || !isEventStream(contentType)) {
            response.body().close();
            finish(status == 204 ? new StreamEnd.NoContent()
                    : status != 200 ? new StreamEnd.HttpStatus(status)
                    : new StreamEnd.WrongContentType(contentType));
            return;
        }
        ContentDecoder coding;
        try {
            coding = ContentDecoders.open(String.join(",", response.headers().allValues("Content-Encoding")));
        } catch (UnsupportedCodingException e) {
            response.body().close();
            finish(new StreamEnd.Failed(e, failures + 1)); // the same request would get the same answer
            return;
        } catch (RuntimeException | LinkageError e) { // a decoder that cannot be made here (zstd-jni's native library)
            response.body().close();
            finish(new StreamEnd.Failed(new IOException("cannot decode Content-Encoding "
                    + response.headers().allValues("Content-Encoding") + ": " + e, e), failures + 1));
            return;
        }
        if (!wire.hold(response.body(), coding)) {
            return; // closed meanwhile
        }
        body = response.body();
        decoder = coding;
        openedAt = System.nanoTime();
        clock.opened();
        parser = new EventStreamParser(parsed, lastEventId, options.maxLineSize(), options.maxEventSize());
        failures = 0;
        ready.add(new Opened(status, response.headers(), response.version()));
    }

    private void read() {
        if (delivered) {
            delivered = false;
            clock.resumed();
        }
        if (backlogFrom < backlogTo || codedFrom < codedTo) {
            parse(chunk, codedFrom, codedTo - codedFrom); // what the last read left for after the queue drained
            return;
        }
        int n;
        try {
            n = body.read(chunk, 0, CHUNK, clock.left(), "the server completed no line for "
                    + options.readTimeout().toMillis() + " ms (EventSourceOptions.readTimeout): reconnecting");
        } catch (IOException e) {
            long open = System.nanoTime() - openedAt;
            drop();
            if (listener == null && Thread.currentThread().isInterrupted()) {
                interrupted();
            } else {
                failed(e, open);
            }
            return;
        }
        if (n < 0) {
            long open = System.nanoTime() - openedAt;
            if (decoder != null) {
                try {
                    decoder.end();
                } catch (IOException e) {
                    drop();
                    failed(e, open); // a truncated body is a broken stream
                    return;
                }
            }
            parser.end();
            drop();
            if (options.reconnect()) {
                waitMillis = backoff.afterStream(retryMillis, open);
            } else {
                finish(new StreamEnd.Ended());
            }
            return;
        }
        parse(chunk, 0, n);
    }

    /** Parses decoded bytes while few signals wait; keeps the rest, in order, for later reads. */
    private void parseOrKeep(EventStreamParser current, byte[] decoded, int offset, int length) throws IOException {
        while (length > 0 && backlogFrom == backlogTo && ready.size() < QUEUED_MAX) {
            int piece = Math.min(PARSE_SLICE, length);
            current.feed(decoded, offset, piece);
            offset += piece;
            length -= piece;
        }
        if (length == 0) {
            return;
        }
        if (backlogFrom == backlogTo) {
            backlogFrom = 0;
            backlogTo = 0;
        }
        if (backlog.length - backlogTo < length) {
            int kept = backlogTo - backlogFrom;
            byte[] bigger = new byte[Math.max(kept + length, 2 * backlog.length)];
            System.arraycopy(backlog, backlogFrom, bigger, 0, kept);
            backlog = bigger;
            backlogFrom = 0;
            backlogTo = kept;
        }
        System.arraycopy(decoded, offset, backlog, backlogTo, length);
        backlogTo += length;
    }

    /** Parses {@code n} bytes read; a coded body only until {@link #QUEUED_MAX} signals wait, keeping the rest. */
    private void parse(byte[] bytes, int from, int n) {
        EventStreamParser current = parser;
        try {
            if (decoder == null) {
                current.feed(bytes, from, n);
            } else {
                while (backlogFrom < backlogTo && ready.size() < QUEUED_MAX) {
                    int piece = Math.min(PARSE_SLICE, backlogTo - backlogFrom);
                    current.feed(backlog, backlogFrom, piece);
                    backlogFrom += piece;
                }
                if (backlogFrom == backlogTo && backlog.length > 0) {
                    backlog = new byte[0]; // a flood's room goes once it is parsed
                    backlogFrom = 0;
                    backlogTo = 0;
                }
                int at = from;
                int end = from + n;
                while (at < end && backlogFrom == backlogTo && ready.size() < QUEUED_MAX) {
                    int slice = Math.min(CODED_SLICE, end - at);
                    at += slice;
                    decoder.decode(bytes, at - slice, slice, (decoded, offset, length) -> parseOrKeep(current, decoded, offset, length));
                }
                codedFrom = at;
                codedTo = end;
            }
        } catch (LimitExceededException e) {
            drop();
            finish(new StreamEnd.TooLarge(e.option(), e.limit()));
        } catch (IOException e) {
            long open = System.nanoTime() - openedAt;
            drop();
            failed(e, open); // corrupt coded data: a broken stream
        } finally {
            lastEventId = current.lastEventId();
        }
        clock.parsed(current.lines());
    }

    /**
     * A failed attempt ({@code openNanos < 0}) or a stream that broke after {@code openNanos}:
     * retry after a backoff, or give up.
     */
    private void failed(Throwable error, long openNanos) {
        if (closed.get()) {
            return; // the failure is close() at work
        }
        failures++;
        error = ConnectFailures.explained(error, uri);
        if (!options.reconnect() || (options.maxAttempts() > 0 && failures >= options.maxAttempts())) {
            finish(new StreamEnd.Failed(error, failures));
        } else {
            waitMillis = openNanos < 0 ? backoff.afterFailedAttempt(retryMillis) : backoff.afterStream(retryMillis, openNanos);
            ready.add(new Failure(error));
        }
    }

    /** Called on the reading thread when it was interrupted: an iterating thread's way to stop. */
    private void interrupted() {
        Thread.currentThread().interrupt();
        close();
    }

    /** Something unexpected was thrown while reading: the source ends as failed, and lets go. */
    void fail(Throwable error) {
        finish(new StreamEnd.Failed(error, 0));
    }

    private void finish(StreamEnd reason) {
        end.compareAndSet(null, reason);
        drop();
        release();
    }

    /** Lets go of the connection and a client of the source's own; an iterated source's cleaner is then done. */
    private void release() {
        Cleaner.Cleanable iterated = cleanable;
        if (iterated != null) {
            iterated.clean(); // runs wire.release() once, and unregisters
        } else {
            wire.release();
        }
    }

    /** Closes the current connection, if any. */
    private void drop() {
        ResponseBody current = body;
        body = null;
        parser = null;
        decoder = null;
        codedFrom = 0;
        codedTo = 0;
        backlog = new byte[0];
        backlogFrom = 0;
        backlogTo = 0;
        wire.letGo(current); // and its decoder
    }

    /**
     * The id of the first request: {@code lastEventId}, else a {@code Last-Event-ID} among the
     * headers. Either is only where the id starts: the stream's ids replace it, an empty one too.
     */
    private static String firstId(EventSourceOptions options) {
        if (!options.lastEventId().isEmpty()) {
            return options.lastEventId();
        }
        for (var header : options.headers().entrySet()) {
            if (header.getKey().equalsIgnoreCase("Last-Event-ID")) {
                return header.getValue();
            }
        }
        return "";
    }

    private static boolean isEventStream(String contentType) {
        int semicolon = contentType.indexOf(';');
        String essence = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return essence.toLowerCase(Locale.ROOT).equals("text/event-stream");
    }

    private static URI requireHttp(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("an event source needs an http or https URI with a host, got " + uri);
        }
        return uri;
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** What the parser finds goes to the queue of signals; retry to the reconnection time. */
    private final class Parsed implements EventStreamParser.Handler {
        @Override
        public void onEvent(MessageEvent event) {
            ready.add(event);
        }

        @Override
        public void onComment(String comment) {
            if (listener != null) {
                ready.add(new Comment(comment));
            }
        }

        @Override
        public void onRetry(long millis) {
            retryMillis = millis;
        }
    }

    /** The response of an accepted connection, for {@code onOpen}. */
    private record Opened(int statusCode, HttpHeaders headers, HttpClient.Version version) implements HttpResponse.ResponseInfo {
    }

    private record Comment(String text) {
    }

    private record Failure(Throwable error) {
    }

    /** The last event id cannot be sent exactly, so the next attempt goes without one. */
    record IdNotSent(String id) {
    }
}
