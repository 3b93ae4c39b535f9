package dev.runnel.client.internal;

import dev.runnel.client.EventSource;
import dev.runnel.client.EventSourceListener;
import dev.runnel.client.EventSourceOptions;
import dev.runnel.client.MessageEvent;
import dev.runnel.client.StreamEnd;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
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
 */
public final class RealEventSource implements EventSource {

    private static final System.Logger LOG = System.getLogger(RealEventSource.class.getName());
    private static final AtomicLong SOURCES = new AtomicLong();
    private static final int CHUNK = 8192;
    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final Duration CLIENT_STOP = Duration.ofSeconds(5);

    private final URI uri;
    private final EventSourceOptions options;
    private final HttpClient client;
    private final boolean ownsClient;
    private final EventSourceListener listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicReference<StreamEnd> end = new AtomicReference<>();
    private final AtomicBoolean iterated = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock(); // guards inFlight and body against close()
    private CompletableFuture<?> inFlight;
    private InputStream body;
    private volatile Thread thread;
    private volatile String lastEventId;

    // touched only by the thread running nextSignal()
    private final ArrayDeque<Object> ready = new ArrayDeque<>();
    private final byte[] chunk = new byte[CHUNK];
    private final Parsed parsed = new Parsed();
    private EventStreamParser parser;
    private InputStream in;
    private long retryMillis;
    private long waitMillis;
    private int failures;
    private String reportedId; // the last id reported as not sent

    private RealEventSource(URI uri, EventSourceOptions options, EventSourceListener listener) {
        this.uri = requireHttp(uri);
        this.options = Objects.requireNonNull(options, "options");
        this.listener = listener;
        this.ownsClient = options.httpClient() == null;
        this.client = ownsClient
                ? HttpClient.newBuilder().connectTimeout(options.connectTimeout()).followRedirects(HttpClient.Redirect.NORMAL).build()
                : options.httpClient();
        this.lastEventId = options.lastEventId();
        this.retryMillis = options.retry().toMillis();
    }

    /** A source that reads on a virtual thread of its own and calls {@code listener}. */
    public static RealEventSource start(URI uri, EventSourceOptions options, EventSourceListener listener) {
        RealEventSource source = new RealEventSource(uri, options, Objects.requireNonNull(listener, "listener"));
        Thread reader = Thread.ofVirtual().name("runnel-client-" + SOURCES.incrementAndGet()).unstarted(source::run);
        source.thread = reader;
        reader.start();
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
        return new Iterator<>() {
            private MessageEvent event;

            @Override
            public boolean hasNext() {
                while (event == null) {
                    Object signal = nextSignal();
                    if (signal == null) {
                        return false;
                    }
                    if (signal instanceof MessageEvent e) {
                        event = e;
                    } else if (signal instanceof IdNotSent n) {
                        LOG.log(System.Logger.Level.WARNING, "reconnecting to {0} without Last-Event-ID: the id {1}"
                                + " cannot be sent exactly by the JDK HttpClient", uri, LastEventIds.quoted(n.id()));
                    }
                }
                return true;
            }

            @Override
            public MessageEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the source has ended: " + end.get().reason());
                }
                MessageEvent e = event;
                event = null;
                return e;
            }
        };
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
            lock.lock();
            try {
                if (inFlight != null) {
                    inFlight.cancel(true);
                }
                closeQuietly(body);
            } finally {
                lock.unlock();
            }
            if (ownsClient) {
                client.shutdownNow();
            }
        }
        Thread reader = thread;
        if (reader != null && reader != Thread.currentThread()) {
            joinUninterruptibly(reader);
        }
        if (ownsClient && reader != Thread.currentThread() && !Thread.currentThread().isInterrupted()) {
            try {
                client.awaitTermination(CLIENT_STOP); // its selector thread, so that none is left behind
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
        } catch (RuntimeException | Error e) {
            finish(new StreamEnd.Failed(e, 0));
        }
        try {
            listener.onClosed(this, end.get());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "EventSourceListener.onClosed threw for " + uri, e);
        }
    }

    /** The next signal, blocking; {@code null} once the source has ended. */
    private Object nextSignal() {
        while (true) {
            if (closed.get()) {
                ready.clear();
                finish(new StreamEnd.Closed());
                return null;
            }
            Object signal = ready.poll();
            if (signal != null) {
                return signal;
            }
            if (end.get() != null) {
                return null;
            }
            if (in == null) {
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
            CompletableFuture<HttpResponse<InputStream>> response;
            try {
                response = client.sendAsync(request(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (RuntimeException e) {
                // refused before any I/O (a shared client that was shut down, say): retrying cannot help
                finish(new StreamEnd.Failed(e, failures + 1));
                return;
            }
            lock.lock();
            try {
                if (closed.get()) {
                    response.cancel(true);
                    return;
                }
                inFlight = response;
            } finally {
                lock.unlock();
            }
            try {
                accept(response.get());
            } finally {
                lock.lock();
                inFlight = null;
                lock.unlock();
            }
        } catch (ExecutionException e) {
            failed(e.getCause());
        } catch (CancellationException e) {
            // close() cancelled the request
        } catch (InterruptedException e) {
            interrupted();
        }
    }

    private HttpRequest request() {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(options.connectTimeout())
                .header("Accept", "text/event-stream")
                .header("Cache-Control", "no-cache");
        String id = lastEventId;
        options.headers().forEach((name, value) -> {
            if (id.isEmpty() || !name.equalsIgnoreCase("Last-Event-ID")) { // the stream's id replaces the caller's
                request.setHeader(name, value);
            }
        });
        if (LastEventIds.sendable(id)) {
            request.setHeader("Last-Event-ID", id);
            reportedId = null;
        }
        return request.build();
    }

    private void accept(HttpResponse<InputStream> response) {
        int status = response.statusCode();
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (status != 200 || !isEventStream(contentType)) {
            closeQuietly(response.body());
            finish(status == 204 ? new StreamEnd.NoContent()
                    : status != 200 ? new StreamEnd.HttpStatus(status)
                    : new StreamEnd.WrongContentType(contentType));
            return;
        }
        lock.lock();
        try {
            if (closed.get()) {
                closeQuietly(response.body());
                return;
            }
            body = response.body();
        } finally {
            lock.unlock();
        }
        in = response.body();
        parser = new EventStreamParser(parsed, lastEventId, options.maxLineSize(), options.maxEventSize());
        failures = 0;
        ready.add(new Opened(status, response.headers(), response.version()));
    }

    private void read() {
        int n;
        try {
            n = in.read(chunk);
        } catch (IOException e) {
            drop();
            if (listener == null && Thread.currentThread().isInterrupted()) {
                interrupted();
            } else {
                failed(e);
            }
            return;
        }
        if (n < 0) {
            parser.end();
            drop();
            if (options.reconnect()) {
                waitMillis = retryMillis;
            } else {
                finish(new StreamEnd.Ended());
            }
            return;
        }
        EventStreamParser current = parser;
        try {
            current.feed(chunk, 0, n);
        } catch (LimitExceededException e) {
            drop();
            finish(new StreamEnd.TooLarge(e.option(), e.limit()));
        } finally {
            lastEventId = current.lastEventId();
        }
    }

    /** A failed attempt or a broken stream: retry after a backoff, or give up. */
    private void failed(Throwable error) {
        if (closed.get()) {
            return; // the failure is close() at work
        }
        failures++;
        error = explained(error);
        if (!options.reconnect() || (options.maxAttempts() > 0 && failures >= options.maxAttempts())) {
            finish(new StreamEnd.Failed(error, failures));
        } else {
            waitMillis = backoff();
            ready.add(new Failure(error));
        }
    }

    /** The JDK client's connect failures carry no message: say what could not be reached. */
    private Throwable explained(Throwable error) {
        if (error.getMessage() != null && !error.getMessage().isBlank()) {
            return error;
        }
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String text;
        if (root instanceof UnresolvedAddressException) {
            text = "cannot resolve host " + uri.getHost();
        } else if (error instanceof ConnectException) {
            int port = uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
            text = "cannot connect to " + uri.getHost() + ":" + port;
        } else {
            return error;
        }
        ConnectException explained = new ConnectException(text);
        explained.initCause(error);
        return explained;
    }

    private long backoff() {
        return backoffMillis(failures, retryMillis, options.maxRetryDelay().toMillis(), ThreadLocalRandom.current());
    }

    /**
     * The wait before the next attempt after {@code failures} failures in a row: the reconnection
     * time for the first; for the n-th, a random time from half to all of {@code b × 2^(n-1)} with
     * {@code b} = max(reconnection time, 100 ms), capped, and never below the reconnection time.
     */
    static long backoffMillis(int failures, long retryMillis, long capMillis, RandomGenerator random) {
        if (failures <= 1) {
            return retryMillis;
        }
        long high = Math.max(retryMillis, MIN_BACKOFF_MILLIS);
        for (int i = 1; i < failures && high < capMillis && high < Long.MAX_VALUE / 2; i++) {
            high *= 2;
        }
        high = Math.min(high, capMillis);
        long wait = high / 2 + random.nextLong(high - high / 2 + 1);
        return Math.max(retryMillis, wait);
    }

    /** Called on the reading thread when it was interrupted: an iterating thread's way to stop. */
    private void interrupted() {
        Thread.currentThread().interrupt();
        close();
    }

    private void finish(StreamEnd reason) {
        end.compareAndSet(null, reason);
        drop();
        if (ownsClient) {
            client.shutdownNow();
        }
    }

    /** Closes the current connection, if any. */
    private void drop() {
        InputStream current = in;
        in = null;
        parser = null;
        lock.lock();
        try {
            body = null;
        } finally {
            lock.unlock();
        }
        closeQuietly(current);
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

    private static void closeQuietly(InputStream stream) {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // closing a response body that is already broken
            }
        }
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
    private record IdNotSent(String id) {
    }
}
