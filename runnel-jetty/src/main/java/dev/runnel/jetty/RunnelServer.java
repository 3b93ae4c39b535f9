package dev.runnel.jetty;

import dev.runnel.BadRequestException;
import dev.runnel.RequestContext;
import dev.runnel.SseEngine;
import dev.runnel.SseHandler;
import dev.runnel.StreamOptions;
import dev.runnel.transport.SocketWatcher;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The embedded Runnel server: Jetty 12 core handlers, one virtual thread per stream (short requests
 * run on Jetty's platform thread pool), and small routing for SSE endpoints, pages and static files.
 * Request bodies are read without holding a thread, within a deadline, a size cap and a server-wide
 * memory budget ({@link Builder#requestBodyTimeout}, {@link Builder#maxRequestBodyBytes},
 * {@link Builder#requestBodyBudgetBytes}). What one client can hold is bounded too: connections per
 * address ({@link Builder#maxConnectionsPerAddress}, counted per forwarded client behind
 * {@link Builder#trustedProxies}), the bytes of a request's head ({@link Builder#maxRequestHeaderBytes})
 * and what a connection that stops reading takes from the server ({@link Builder#sendBufferBytes}).
 *
 * <pre>{@code
 * RunnelServer server = RunnelServer.builder().port(8080).build();
 * server.sse("/sse/hello", request -> EventStream.of("hello", "world"));
 * server.start();
 * }</pre>
 *
 * <p>Routes may be added before or after {@link #start()}. {@link #stop()} ends every open stream
 * (producers interrupted, cleanup run, no close event), waits up to the engine's shutdown grace,
 * then stops Jetty; a stopped server cannot start again. Thread-safe.
 */
public final class RunnelServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.runnel.jetty");
    private static final int MAX_BODY_LIMIT = 1 << 30;
    private static final int DEFAULT_SEND_BUFFER = 32 * 1024;
    private static final int MIN_SEND_BUFFER = 4 * 1024;
    private static final int MAX_SEND_BUFFER = 64 << 20;
    private static final int MIN_HEADER_LIMIT = 1024;
    private static final int DEFAULT_CONNECTIONS_PER_ADDRESS = 15_000;
    private static final int MAX_CONNECTIONS_PER_ADDRESS = 1_000_000;
    private static final int MAX_HEADER_LIMIT = 1 << 20;

    private final String host;
    private final int requestedPort;
    private final Duration idleTimeout;
    private final Duration writeTimeout;
    private final SseEngine engine;
    private final UnaryOperator<RequestContext> before;
    private final boolean http2;
    private final Tls tls;
    private final String corsOrigin;
    private final boolean warmUp;
    /** What the log lines call this server: a {@link WarmUp}'s throwaway server says so. */
    private String role = "Runnel";
    private final int acceptQueueSize;
    private final int sendBufferBytes;
    private final int maxHeaderBytes;
    private final int maxConnectionsPerAddress;
    private final TrustedProxies trustedProxies;
    private final Duration bodyTimeout;
    private final int maxBodyBytes;
    private final long bodyBudgetBytes;
    private final Routes routes = new Routes();
    private final List<StaticFiles> statics = new CopyOnWriteArrayList<>();
    private final ReentrantLock lifecycleLock = new ReentrantLock();
    private State state = State.NEW;
    private Server jetty;
    private SocketWatcher watcher;
    private volatile RunnelHandler handler;
    private volatile AddressLimit addressLimit;
    private volatile int boundPort = -1;
    private Consumer<Server> configureJetty = jetty -> { };

    private RunnelServer(Builder b) {
        this.host = b.host;
        this.requestedPort = b.port;
        this.idleTimeout = b.idleTimeout;
        this.writeTimeout = b.writeTimeout;
        this.engine = b.engine != null ? b.engine : SseEngine.builder().build();
        this.before = b.before;
        this.http2 = b.http2;
        this.tls = b.tls;
        this.corsOrigin = b.corsOrigin;
        this.warmUp = b.warmUp;
        this.acceptQueueSize = b.acceptQueueSize;
        this.sendBufferBytes = b.sendBufferBytes;
        this.maxHeaderBytes = b.maxRequestHeaderBytes;
        this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        this.trustedProxies = b.trustedProxies;
        this.bodyTimeout = b.requestBodyTimeout;
        this.maxBodyBytes = b.maxRequestBodyBytes;
        this.bodyBudgetBytes = b.requestBodyBudgetBytes >= 0 ? b.requestBodyBudgetBytes
                : defaultBodyBudget(Runtime.getRuntime().maxMemory(), b.maxRequestBodyBytes);
        if (bodyBudgetBytes < maxBodyBytes) {
            throw new IllegalArgumentException("requestBodyBudgetBytes (" + bodyBudgetBytes
                    + ") must be at least maxRequestBodyBytes (" + maxBodyBytes + "), or no body of the largest size could ever be read");
        }
    }

    /**
     * 64 MiB, or a quarter of the heap when that is less, and never less than one body of the
     * largest size: room for 64 bodies of the default cap at once while a small heap keeps three
     * quarters for everything else.
     */
    static long defaultBodyBudget(long maxHeap, int maxBodyBytes) {
        long budget = Math.min(64L << 20, maxHeap == Long.MAX_VALUE ? Long.MAX_VALUE : maxHeap / 4);
        return Math.max(budget, maxBodyBytes);
    }

    /** Where the server is in its one life: a server starts at most once (failed starts aside). */
    private enum State { NEW, STARTED, STOPPED }

    /** A PKCS#12 key store and its password. */
    private record Tls(java.nio.file.Path keyStore, String password) {
    }

    /** A builder: {@code 127.0.0.1:8080}, 30 s idle timeout, default engine. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Serves SSE on {@code GET path}. {@code {name}} segments become path parameters; a final
     * {@code /**} takes any rest of the path (read it, percent-encoding kept, from the
     * {@link RequestContext#RAW_PATH} attribute). The same patterns serve every route method.
     */
    public RunnelServer sse(String path, SseHandler handler) {
        routes.add("GET", path, new Routes.Sse(Objects.requireNonNull(handler, "handler")));
        return this;
    }

    /**
     * Serves SSE on {@code POST path} as well as {@code GET}: for clients that open streams with
     * {@code fetch} (htmx 4, Datastar) and send a body. The body is in the request context
     * ({@link RequestContext#body()}).
     */
    public RunnelServer ssePost(String path, SseHandler handler) {
        sse(path, handler);
        routes.add("POST", path, new Routes.Sse(handler));
        return this;
    }

    /** Answers {@code GET path} (and {@code HEAD}). */
    public RunnelServer get(String path, HttpHandler handler) {
        routes.add("GET", path, new Routes.Http(Objects.requireNonNull(handler, "handler")));
        return this;
    }

    /** Answers {@code POST path}. */
    public RunnelServer post(String path, HttpHandler handler) {
        routes.add("POST", path, new Routes.Http(Objects.requireNonNull(handler, "handler")));
        return this;
    }

    /**
     * Answers {@code OPTIONS path} itself (a CORS preflight with rules of its own), instead of the
     * server-wide {@link Builder#corsOrigin} answer.
     */
    public RunnelServer options(String path, HttpHandler handler) {
        routes.add("OPTIONS", path, new Routes.Http(Objects.requireNonNull(handler, "handler")));
        return this;
    }

    /**
     * Serves classpath resources under {@code classpathRoot} at {@code urlPrefix}; for example
     * {@code staticFiles("/static", "static")}. WebJars are served with
     * {@code staticFiles("/webjars", "META-INF/resources/webjars")}.
     */
    public RunnelServer staticFiles(String urlPrefix, String classpathRoot) {
        return staticFiles(urlPrefix, classpathRoot, RunnelServer.class.getClassLoader());
    }

    /** {@link #staticFiles(String, String)} from the resources of {@code loader}. */
    RunnelServer staticFiles(String urlPrefix, String classpathRoot, ClassLoader loader) {
        statics.add(new StaticFiles(urlPrefix, classpathRoot, loader));
        return this;
    }

    /**
     * Starts listening. A server starts once: after {@link #stop()} it refuses to start again, because
     * stopping shut its engine down for good (new streams would all be refused); build a new
     * {@code RunnelServer} instead. A start that fails (a busy port, say) releases everything it took
     * and may be tried again.
     *
     * @throws IllegalStateException when it is running or was stopped, its engine was shut down, or
     *         Jetty could not start (the cause says why)
     */
    public RunnelServer start() {
        lifecycleLock.lock();
        try {
            return startLocked();
        } finally {
            lifecycleLock.unlock();
        }
    }

    private RunnelServer startLocked() {
        if (state == State.STARTED) {
            throw new IllegalStateException("server already started");
        }
        if (state == State.STOPPED) {
            throw new IllegalStateException("this server was stopped and cannot start again: build a new RunnelServer");
        }
        if (engine.isStopping()) {
            throw new IllegalStateException("the server's engine was shut down and would refuse every stream: build the server with a new SseEngine");
        }
        if (warmUp) {
            WarmUp.run(); // reports its own failure; the server works without it, only colder
        }
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("runnel-jetty");
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // the request line and the headers: a longer line is 414, longer headers 431 (HTTP/2: the decoded header list)
        http.setRequestHeaderSize(maxHeaderBytes);
        // an encoded '/' or '%' inside a segment stays data (Mercure's subscription URLs hold percent-encoded
        // IRIs); routes see the decoded path, '**' routes the encoded one, and static files refuse any '..'
        http.setUriCompliance(UriCompliance.DEFAULT.with("runnel", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
        ServerConnector conn = tls == null ? plainConnector(server, http) : tlsConnector(server, http);
        conn.setHost(host);
        conn.setPort(requestedPort);
        conn.setIdleTimeout(idleTimeout.toMillis());
        conn.setAcceptQueueSize(acceptQueueSize);
        if (sendBufferBytes > 0) {
            conn.setAcceptedSendBufferSize(sendBufferBytes);
        }
        AddressLimit perAddress = new AddressLimit(maxConnectionsPerAddress, trustedProxies);
        conn.addEventListener(perAddress);
        server.addConnector(conn);
        server.setStopTimeout(engine.shutdownGrace().toMillis() + 1000);
        SocketWatcher disconnects = null;
        RunnelHandler handler;
        try {
            disconnects = new SocketWatcher("runnel-disconnect-watcher");
            handler = new RunnelHandler(routes, statics,
                    new RunnelHandler.Settings(engine, before, corsOrigin, writeTimeout, maxBodyBytes, bodyTimeout, bodyBudgetBytes,
                            perAddress, trustedProxies),
                    disconnects);
            server.setHandler(handler);
            configureJetty.accept(server);
            server.start();
        } catch (Throwable t) {
            // Jetty may have started its pool or some connectors before failing: stop them too
            release(server, disconnects, t);
            if (t instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("could not start the server on " + host + ":" + requestedPort + ": " + t.getMessage(), t);
        }
        this.jetty = server;
        this.watcher = disconnects;
        this.handler = handler;
        this.addressLimit = perAddress;
        this.boundPort = conn.getLocalPort();
        this.state = State.STARTED;
        LOG.log(Level.INFO, role + " listening on " + uri());
        return this;
    }

    /** Stops what a failed start took; what fails here is added to {@code failure}. */
    private static void release(Server server, SocketWatcher disconnects, Throwable failure) {
        try {
            server.stop();
        } catch (Throwable t) {
            failure.addSuppressed(t);
        }
        if (disconnects != null) {
            try {
                disconnects.close();
            } catch (Throwable t) {
                failure.addSuppressed(t);
            }
        }
    }

    /** HTTP/1.1, and HTTP/2 without TLS (h2c, by prior knowledge or upgrade) unless turned off. */
    private ServerConnector plainConnector(Server server, HttpConfiguration http) {
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        return http2 ? new ServerConnector(server, http1, new HTTP2CServerConnectionFactory(http))
                : new ServerConnector(server, http1);
    }

    /** TLS, with ALPN choosing HTTP/2 when the client offers it and HTTP/1.1 otherwise. */
    private ServerConnector tlsConnector(Server server, HttpConfiguration http) {
        http.addCustomizer(new SecureRequestCustomizer(false));
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(tls.keyStore().toAbsolutePath().toString());
        ssl.setKeyStorePassword(tls.password());
        ssl.setKeyStoreType("PKCS12");
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        if (!http2) {
            return new ServerConnector(server, new SslConnectionFactory(ssl, http1.getProtocol()), http1);
        }
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), http1.getProtocol());
        alpn.setDefaultProtocol(http1.getProtocol());
        ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);
        return new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, http1);
    }

    /** Names this server in its log lines. Before {@link #start()}. */
    RunnelServer role(String name) {
        this.role = Objects.requireNonNull(name, "name");
        return this;
    }

    /** For tests: changes the Jetty server each {@link #start()} builds, before it starts. */
    void configureJetty(Consumer<Server> hook) {
        this.configureJetty = Objects.requireNonNull(hook, "hook");
    }

    /**
     * The port it listens on (the real one when {@code 0} was asked); after {@link #stop()}, the port
     * it listened on; before {@link #start()}, the port asked for.
     */
    public int port() {
        int bound = boundPort;
        return bound > 0 ? bound : requestedPort;
    }

    /** {@code http://host:port} of the running server. */
    public URI uri() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create((tls == null ? "http://" : "https://") + h + ":" + port());
    }

    /** For tests: the bytes request bodies hold against the budget now. */
    long requestBodyBytesHeld() {
        RunnelHandler h = handler;
        return h == null ? 0 : h.bodyBytesHeld();
    }

    /** For tests: the connections (and requests forwarded by a trusted proxy) open now from {@code address}. */
    int openFrom(java.net.InetAddress address) {
        AddressLimit limit = addressLimit;
        return limit == null ? 0 : limit.openFrom(address);
    }

    /** The engine that serves this server's streams. */
    public SseEngine engine() {
        return engine;
    }

    /**
     * Ends every stream gracefully, shuts the engine down and stops listening. Stopping a server that
     * is not running does nothing; a stopped server cannot start again. Jetty's own failures while
     * stopping are logged, and what the server holds is released all the same.
     */
    public void stop() {
        lifecycleLock.lock();
        try {
            stopLocked();
        } finally {
            lifecycleLock.unlock();
        }
    }

    private void stopLocked() {
        if (state != State.STARTED) {
            return;
        }
        state = State.STOPPED;
        Server server = jetty;
        SocketWatcher disconnects = watcher;
        jetty = null;
        watcher = null;
        boolean clean = false;
        try {
            clean = engine.shutdown(engine.shutdownGrace());
        } finally {
            try {
                server.stop();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "stopping Jetty failed", e);
            } finally {
                try {
                    disconnects.close();
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "closing the disconnect watcher failed", e);
                }
            }
        }
        LOG.log(Level.INFO, role + " stopped" + (clean ? "" : " (some producers ignored cancellation)"));
    }

    @Override
    public void close() {
        stop();
    }

    /** Settings of the embedded server. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private SseEngine engine;
        private UnaryOperator<RequestContext> before = UnaryOperator.identity();
        private boolean http2 = true;
        private Tls tls;
        private String corsOrigin;
        private int acceptQueueSize = 1024;
        private int sendBufferBytes = DEFAULT_SEND_BUFFER;
        private int maxRequestHeaderBytes = 8192;
        private int maxConnectionsPerAddress = DEFAULT_CONNECTIONS_PER_ADDRESS;
        private TrustedProxies trustedProxies = TrustedProxies.NONE;
        private Duration requestBodyTimeout = Duration.ofSeconds(20);
        private int maxRequestBodyBytes = 1 << 20;
        private long requestBodyBudgetBytes = -1;
        private boolean warmUp;

        private Builder() {
        }

        /**
         * How many connections the kernel may queue before the server accepts them; default 1024.
         * Jetty's own default (50) makes a burst of reconnecting browsers wait for TCP retries.
         */
        public Builder acceptQueueSize(int connections) {
            if (connections < 1 || connections > 65_535) {
                throw new IllegalArgumentException("acceptQueueSize must be from 1 to 65535, got " + connections);
            }
            this.acceptQueueSize = connections;
            return this;
        }

        /**
         * The kernel's send buffer for each accepted connection, in bytes; default 32 KiB (32768; Linux doubles it), or
         * {@code 0} for the kernel's own, which grows to megabytes (Linux: {@code net.ipv4.tcp_wmem}).
         * It bounds what a client that stops reading takes before its writes block: with megabytes
         * per connection, a thousand stalled subscribers make the server spend its CPU copying events
         * into their buffers, and readers that keep up fall behind. A stalled subscriber then holds at
         * most this, its receive window and its hub queue ({@code maxQueuedBytes}), and is cut off as
         * slow. Raise it for large streams to distant clients: one stream's rate is at most about this
         * much per round trip.
         */
        public Builder sendBufferBytes(int bytes) {
            if (bytes != 0 && (bytes < MIN_SEND_BUFFER || bytes > MAX_SEND_BUFFER)) {
                throw new IllegalArgumentException("sendBufferBytes must be 0 (the kernel's own) or from " + MIN_SEND_BUFFER
                        + " to " + MAX_SEND_BUFFER + ", got " + bytes);
            }
            this.sendBufferBytes = bytes;
            return this;
        }

        /**
         * The most connections one client address may hold open at once; default 15,000. One more is
         * closed as soon as it is accepted, before a byte of it is read, so a flood from one address
         * cannot take the descriptors everyone else needs. The default leaves room for what one address
         * legitimately carries: the 12,500 subscribers per source address of the benchmarks, or a
         * reverse proxy's connections; behind a proxy, name it with {@link #trustedProxies} so that its
         * connections are not counted and the cap applies to each forwarded client instead.
         */
        public Builder maxConnectionsPerAddress(int connections) {
            if (connections < 1 || connections > MAX_CONNECTIONS_PER_ADDRESS) {
                throw new IllegalArgumentException("maxConnectionsPerAddress must be from 1 to " + MAX_CONNECTIONS_PER_ADDRESS
                        + ", got " + connections);
            }
            this.maxConnectionsPerAddress = connections;
            return this;
        }

        /**
         * The reverse proxies in front of this server, as IP addresses; default none. A request from one
         * of them is taken to come from the last address of its {@code X-Forwarded-For} that is not a
         * trusted proxy: that is the request context's {@code remoteAddress} (so
         * {@code maxStreamsPerAddress} counts it), and its open requests count against
         * {@link #maxConnectionsPerAddress} ({@code 503} with {@code Retry-After} beyond), while the
         * proxy's own connections are not counted. From any other peer the header is ignored.
         *
         * @throws IllegalArgumentException naming an address that is not an IPv4 or IPv6 literal
         */
        public Builder trustedProxies(String... addresses) {
            Objects.requireNonNull(addresses, "addresses");
            this.trustedProxies = TrustedProxies.of(java.util.Arrays.asList(addresses));
            return this;
        }

        /**
         * The most bytes a request's head may take, in bytes: the request line (with its query
         * string) and the headers, each counted against it; default 8 KiB (8192). A longer request
         * line is answered {@code 414}, longer headers {@code 431}, and the connection is closed
         * before any route sees the request. On HTTP/2 it caps the decoded header list the same way.
         * Raise it for tokens carried in a query string or a cookie (a Mercure hub's).
         */
        public Builder maxRequestHeaderBytes(int bytes) {
            if (bytes < MIN_HEADER_LIMIT || bytes > MAX_HEADER_LIMIT) {
                throw new IllegalArgumentException("maxRequestHeaderBytes must be from " + MIN_HEADER_LIMIT + " to "
                        + MAX_HEADER_LIMIT + ", got " + bytes);
            }
            this.maxRequestHeaderBytes = bytes;
            return this;
        }

        /**
         * How long a request body may take to arrive, in total, from the moment its headers are in;
         * default 20 s. A body still incomplete then is answered {@code 408} and its connection
         * closed. Bodies are read without holding a thread, so slow senders cost memory and a
         * connection each until this deadline, never the server's threads.
         */
        public Builder requestBodyTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("requestBodyTimeout must be positive, got " + timeout);
            }
            this.requestBodyTimeout = timeout;
            return this;
        }

        /**
         * The largest request body a route receives, in bytes; default 1 MiB (1048576). A larger one
         * (declared by {@code Content-Length} or found while reading) is answered {@code 413}.
         * Bodies are held in memory whole.
         */
        public Builder maxRequestBodyBytes(int bytes) {
            if (bytes < 0 || bytes > MAX_BODY_LIMIT) {
                throw new IllegalArgumentException("maxRequestBodyBytes must be from 0 to " + MAX_BODY_LIMIT + ", got " + bytes);
            }
            this.maxRequestBodyBytes = bytes;
            return this;
        }

        /**
         * The most bytes that request bodies may hold in memory at once, over the whole server;
         * default 64 MiB, or a quarter of the maximum heap when that is less (never less than
         * {@link #maxRequestBodyBytes}). Bytes count as they arrive (a declared
         * {@code Content-Length} reserves nothing), until the route's handler has returned, or, for a
         * stream opened with a {@code POST}, until the stream ends. A body that would go over it is
         * answered {@code 503} with {@code Retry-After} and its connection closed, at once: slow
         * senders can use the budget up and make new bodies wait, but never run the server out of
         * memory, and requests without a body go on being served.
         *
         * @throws IllegalArgumentException when negative; {@link #build()} throws it when the budget
         *         is below {@code maxRequestBodyBytes}
         */
        public Builder requestBodyBudgetBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("requestBodyBudgetBytes must not be negative, got " + bytes);
            }
            this.requestBodyBudgetBytes = bytes;
            return this;
        }

        /**
         * The one origin whose pages may call this server cross-origin: CORS preflight requests
         * ({@code OPTIONS}) from it are answered, others refused. Streams still opt in to sending
         * {@code Access-Control-Allow-Origin} themselves ({@code EventStream.allowOrigin}).
         */
        public Builder corsOrigin(String origin) {
            if (origin != null && !origin.matches("https?://[A-Za-z0-9.\\-]+(:\\d{1,5})?")) {
                throw new IllegalArgumentException("corsOrigin must be scheme://host[:port], got \"" + origin + '"');
            }
            this.corsOrigin = origin;
            return this;
        }

        /**
         * Serve HTTP/2 as well as HTTP/1.1 (default on): without TLS as h2c, with TLS chosen by ALPN.
         * Browsers speak HTTP/2 only over TLS; there it lifts HTTP/1.1's limit of six connections, so
         * six streams per site, per browser.
         */
        public Builder http2(boolean on) {
            this.http2 = on;
            return this;
        }

        /**
         * Serve HTTPS with the certificate in a PKCS#12 key store (see {@link DevCertificate} for a
         * development one).
         */
        public Builder tls(java.nio.file.Path pkcs12KeyStore, String password) {
            java.util.Objects.requireNonNull(pkcs12KeyStore, "key store");
            if (!java.nio.file.Files.isReadable(pkcs12KeyStore)) {
                throw new IllegalArgumentException("TLS key store " + pkcs12KeyStore + " does not exist or cannot be read");
            }
            this.tls = new Tls(pkcs12KeyStore, java.util.Objects.requireNonNull(password, "key store password"));
            return this;
        }

        /** Address to bind; default {@code 127.0.0.1}. */
        public Builder host(String bindHost) {
            this.host = Objects.requireNonNull(bindHost, "host");
            return this;
        }

        /** Port to listen on, {@code 0} for any free one; default 8080. */
        public Builder port(int listenPort) {
            if (listenPort < 0 || listenPort > 65535) {
                throw new IllegalArgumentException("port must be from 0 to 65535, got " + listenPort);
            }
            this.port = listenPort;
            return this;
        }

        /**
         * How long an idle connection stays open; default 30 s. Must be above the default heartbeat
         * (15 s), so a healthy quiet stream is never cut. A stream with a longer heartbeat raises its
         * own connection's timeout above it.
         */
        public Builder idleTimeout(Duration timeout) {
            if (timeout == null || timeout.compareTo(StreamOptions.DEFAULT_HEARTBEAT) <= 0) {
                throw new IllegalArgumentException("idleTimeout must be above the default heartbeat interval ("
                        + StreamOptions.DEFAULT_HEARTBEAT.toSeconds() + " s), got " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /** How long one write may block on a client that does not read before the stream is cut off; default 30 s. */
        public Builder writeTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("writeTimeout must be positive, got " + timeout);
            }
            this.writeTimeout = timeout;
            return this;
        }

        /** The engine that serves streams: debug mode, close event, renderer, JSON, tracing. */
        public Builder engine(SseEngine sseEngine) {
            this.engine = Objects.requireNonNull(sseEngine, "engine");
            return this;
        }

        /**
         * Runs on every routed request before its handler, to attach a principal or attributes (or
         * refuse it with {@link BadRequestException}). What it returns is the context the handler
         * and the stream's producer see.
         */
        public Builder before(UnaryOperator<RequestContext> hook) {
            this.before = Objects.requireNonNull(hook, "before");
            return this;
        }

        /**
         * Whether {@link RunnelServer#start()} first runs a {@link WarmUp} (a throwaway server on a loopback
         * port, about 26,000 deliveries, at most 10 s) so the first broadcasts are as fast as later ones;
         * default off. The port is bound after the warm-up, so a load balancer sends nothing to a cold
         * server. A warm-up that fails is logged and the server starts anyway.
         */
        public Builder warmUp(boolean on) {
            this.warmUp = on;
            return this;
        }

        public RunnelServer build() {
            return new RunnelServer(this);
        }
    }
}
