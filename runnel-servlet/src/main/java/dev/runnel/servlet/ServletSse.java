package dev.runnel.servlet;

import dev.runnel.BadRequestException;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.SseHandler;
import dev.runnel.servlet.internal.ConnectionHooks;
import dev.runnel.servlet.internal.ContainerSupport;
import dev.runnel.servlet.internal.RequestSnapshot;
import dev.runnel.servlet.internal.ServletTransport;
import dev.runnel.transport.ErrorStatus;
import dev.runnel.transport.HttpPolicy;
import dev.runnel.transport.SocketWatcher;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serves Runnel streams from any Jakarta Servlet 6 container: from a servlet, a filter, or a
 * framework's handler (Spring MVC's return-value handler in {@code runnel-spring-boot}).
 *
 * <pre>{@code
 * ServletSse sse = ServletSse.of(engine);
 * // in a servlet or filter registered with asyncSupported = true:
 * sse.serve(request, response, req -> EventStream.of("hello"));
 * }</pre>
 *
 * <p>{@link #serve} puts the request in async mode (with no async timeout), starts the stream on a
 * virtual thread of its own and returns at once, so the container thread goes back to its pool; the
 * engine then owns the response and completes it. Producers are plain blocking code.
 *
 * <p>Disconnects: the Servlet API has no close notification, and neither Tomcat nor Jetty reads
 * from an HTTP/1.1 connection while its async response streams. So on Tomcat 11 and embedded
 * Jetty 12 EE10 the connection's socket is watched by one shared selector thread, and a client that
 * leaves cancels its producer at once. Elsewhere (or with {@link Builder#watchConnections} off) it
 * is noticed when a write fails: after a FIN the first write still succeeds, so up to two heartbeat
 * intervals later.
 *
 * <p>Thread-safe; one instance serves every request. {@link #close()} stops the socket watcher
 * thread, if one was started; it does not stop the engine.
 */
public final class ServletSse implements AutoCloseable {

    /** How long one write may wait on a client that does not read, unless set: 30 s. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);

    private static final System.Logger LOG = System.getLogger("dev.runnel.servlet");

    private final SseEngine engine;
    private final Duration writeTimeout;
    private final boolean watchConnections;
    private final AtomicLong ids = new AtomicLong();
    private final ReentrantLock watcherLock = new ReentrantLock();
    private SocketWatcher watcher;
    private boolean closed;

    private ServletSse(Builder b) {
        this.engine = b.engine;
        this.writeTimeout = b.writeTimeout;
        this.watchConnections = b.watchConnections;
    }

    /** Serves through {@code engine} with every default. */
    public static ServletSse of(SseEngine engine) {
        return builder(engine).build();
    }

    /** Settings for serving through {@code engine}. */
    public static Builder builder(SseEngine engine) {
        return new Builder(engine);
    }

    /** The engine that runs the streams. */
    public SseEngine engine() {
        return engine;
    }

    /**
     * Answers the request with the stream {@code handler} opens, seeing the request as
     * {@link #context(HttpServletRequest)} describes it. See {@link #serve(HttpServletRequest,
     * HttpServletResponse, RequestContext, SseHandler)}.
     */
    public void serve(HttpServletRequest request, HttpServletResponse response, SseHandler handler) {
        RequestContext context;
        try {
            context = context(request);
        } catch (BadRequestException e) {
            badRequest(response, HttpPolicy.errorFor(e));
            return;
        }
        serve(request, response, context, handler);
    }

    /**
     * Answers the request with the stream {@code handler} opens. Call it on the container thread that
     * handles the request; it returns at once, and from then on the response belongs to the engine:
     * do not touch it. The handler and the stream's producer run on virtual threads and see
     * {@code context}, a snapshot taken now (add a principal or attributes to it first).
     *
     * @throws IllegalStateException when the servlet or a filter in front of it is not async-supported
     */
    public void serve(HttpServletRequest request, HttpServletResponse response, RequestContext context, SseHandler handler) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(handler, "handler");
        ServletTransport transport;
        try {
            transport = ServletTransport.open(request, response, hooks(request), writeTimeout);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "client gone before the stream started: " + e);
            return;
        }
        Thread.ofVirtual().name("runnel-servlet-" + ids.incrementAndGet()).start(() -> {
            try {
                engine.serve(transport, context, handler);
            } catch (RuntimeException | Error e) {
                // serve() never throws; should it all the same, the async response must not stay open
                LOG.log(Level.ERROR, "serving " + context.path() + " failed inside Runnel", e);
                transport.abort(e);
            }
        });
    }

    /**
     * The request as a {@link RequestContext}: method, path within the application, protocol, query
     * parameters (from the query string only; a form body is never read), headers, peer address and
     * the authenticated principal. No path parameters or attributes: add them with
     * {@link RequestContext#withPathParams} and {@link RequestContext#withAttribute}.
     *
     * <p>The peer address is {@code getRemoteAddr()} read as an IPv4 or IPv6 literal, and is never
     * looked up: when it holds anything else (a forwarded-header filter may put there whatever a
     * client sent, a name included), the context has no remote address ({@code null}). A port the
     * container does not know (outside 0-65535) is 0.
     *
     * @throws BadRequestException when the query string is malformed
     */
    public static RequestContext context(HttpServletRequest request) {
        return RequestSnapshot.of(request);
    }

    /** Stops the socket watcher thread, if any. Streams still open lose prompt disconnect detection. */
    @Override
    public void close() {
        watcherLock.lock();
        try {
            closed = true;
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the disconnect watcher failed", e);
        } finally {
            watcherLock.unlock();
        }
    }

    private ConnectionHooks hooks(HttpServletRequest request) {
        return watchConnections ? ContainerSupport.hooksFor(request, this::watcher) : ConnectionHooks.NONE;
    }

    /** The shared socket watcher, started on first use; {@code null} once closed or when no selector opens. */
    private SocketWatcher watcher() {
        watcherLock.lock();
        try {
            if (watcher == null && !closed) {
                watcher = new SocketWatcher("runnel-servlet-disconnect-watcher");
            }
            return watcher;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not open a selector to watch connections; disconnects are noticed on the next write", e);
            return null;
        } finally {
            watcherLock.unlock();
        }
    }

    private static void badRequest(HttpServletResponse response, ErrorStatus answer) {
        try {
            response.setStatus(answer.status());
            response.setContentType(HttpPolicy.TEXT_PLAIN);
            answer.headers().forEach(response::setHeader);
            response.getOutputStream().write(answer.body().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "could not send 400: " + e);
        }
    }

    /** Settings of a {@link ServletSse}. Every one has a default. */
    public static final class Builder {
        private final SseEngine engine;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private boolean watchConnections = true;

        private Builder(SseEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
        }

        /** How long one write may wait on a client that does not read before the stream is cut off; default 30 s. */
        public Builder writeTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("writeTimeout must be positive, got " + timeout);
            }
            this.writeTimeout = timeout;
            return this;
        }

        /**
         * Whether to use what Tomcat and Jetty offer beyond the Servlet API: watching the
         * connection's socket so a client that leaves is noticed at once, the connection's idle
         * timeout, and cutting the connection on abort. Default on. Off, a client that leaves is
         * noticed when a write fails: with a FIN, the second write after it, so up to two heartbeat
         * intervals later.
         */
        public Builder watchConnections(boolean on) {
            this.watchConnections = on;
            return this;
        }

        public ServletSse build() {
            return new ServletSse(this);
        }
    }
}
