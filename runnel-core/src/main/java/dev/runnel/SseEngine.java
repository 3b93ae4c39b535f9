package dev.runnel;

import dev.runnel.EngineMetrics.EndReason;
import dev.runnel.EngineMetrics.Refusal;
import dev.runnel.hub.Hub;
import dev.runnel.hub.HubLog;
import dev.runnel.hub.HubOptions;
import dev.runnel.internal.AcceptHeader;
import dev.runnel.internal.DueClock;
import dev.runnel.internal.LateCloses;
import dev.runnel.internal.LifecycleSettings;
import dev.runnel.internal.StreamLifecycle;
import dev.runnel.internal.StreamObserver;
import dev.runnel.internal.TopicHub;
import dev.runnel.internal.ValueFormatter;
import dev.runnel.internal.WriteLoops;
import dev.runnel.transport.ErrorStatus;
import dev.runnel.transport.HttpPolicy;
import dev.runnel.transport.SseTransport;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Serves SSE responses: runs the lifecycle of every stream, whatever server carries it, and knows
 * every open stream so it can stop them all.
 *
 * <p>A server adapter calls {@link #serve} once per SSE request, on a virtual thread it owns, with a
 * {@link SseTransport} for the response; the call returns when the response is complete, or, for a
 * hub subscription on a transport with non-blocking writes, once the subscription is open. One
 * engine is shared by all requests and is thread-safe.
 *
 * <p>An engine owns one platform thread, its clock ({@code runnel-clock-N}: heartbeats, write
 * timeouts, and the hub's trimming of old replay events), started when it is built, and one write
 * loop per processor ({@code runnel-write-N-I}), started with the first hub subscription on a
 * transport with non-blocking writes; all end with {@link #shutdown} or {@link #close()}: close every
 * engine you build.
 *
 * <pre>{@code
 * SseEngine engine = SseEngine.builder().closeEvent("done").build();
 * }</pre>
 */
public final class SseEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.runnel.engine");

    private final LifecycleSettings settings;
    private final boolean debug;
    private final TopicHub hub;
    private final EngineMetrics metrics;
    private final Set<StreamLifecycle> open = ConcurrentHashMap.newKeySet();
    private final LateCloses lateCloses = new LateCloses();
    private final AtomicLong ids = new AtomicLong();
    private final Admissions admissions;
    /** Wakes writers whose heartbeat is due and trims the hub's replay buffers by age; ends with the engine. */
    private final DueClock clock;
    /** Write hub subscriptions on transports with non-blocking writes; their threads start with the first such stream. */
    private final WriteLoops loops = WriteLoops.perProcessor();
    private volatile boolean stopping;

    private SseEngine(Builder b) {
        this.debug = b.debug;
        this.admissions = new Admissions(b.maxStreams, b.maxStreamsPerAddress);
        ValueFormatter formatter = new ValueFormatter(b.renderer, b.json);
        this.metrics = b.metrics;
        this.clock = DueClock.start();
        try {
            this.settings = new LifecycleSettings(formatter, b.debug, b.closeEvent, b.retry, b.trace, b.shutdownGrace,
                    b.maxStreamAge, b.metrics, clock, loops);
            this.hub = new TopicHub(formatter, b.json, b.hubOptions, b.metrics, b.hubLog);
            hub.start();
            clock.every(TopicHub.TRIM_PERIOD, hub::trimExpired);
        } catch (RuntimeException | Error e) {
            clock.close();
            loops.close();
            throw e;
        }
    }

    /** A builder with every default: production mode, no close event, no retry, 5 s shutdown grace. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Answers one request: {@code 503} while stopping, {@code 406} when its {@code Accept} excludes
     * {@code text/event-stream}, {@code 400} when the handler throws {@link BadRequestException},
     * {@code 503} with {@code Retry-After} when it throws {@link dev.runnel.hub.HubUnavailableException},
     * {@code 500} for any other handler failure, else the stream until it ends. Never throws.
     *
     * <p>Blocks until the response is complete, except for a hub subscription
     * ({@link EventStream.Subscribed}) on a transport whose {@link SseTransport#writesAsync()} is
     * true: then it returns once the response has started and the subscription is registered (its
     * replay queued), and the engine's write loops serve the stream from there, with
     * {@link SseTransport#writeAsync}, until the engine completes or aborts the response. The
     * transport (not the calling thread) must therefore outlive the call: an adapter must not end
     * the response when {@code serve} returns. Producer streams (a producer, an iterator, a Java
     * stream, a publisher) block as before, their source on a virtual thread of its own.
     */
    public void serve(SseTransport transport, RequestContext request, SseHandler handler) {
        Objects.requireNonNull(transport, "transport");
        if (stopping) {
            refuse(transport, request, Refusal.SHUTTING_DOWN, "server is shutting down");
            return;
        }
        if (!AcceptHeader.allowsEventStream(request.header("Accept").orElse(null))) {
            refuse(transport, request, Refusal.NOT_ACCEPTABLE, "this endpoint only serves text/event-stream");
            return;
        }
        java.net.InetAddress peer = request.remoteAddress() == null ? null : request.remoteAddress().getAddress();
        if (!admissions.admit(peer)) {
            boolean global = admissions.full();
            refuse(transport, request, Refusal.OVER_LIMIT, global
                    ? "too many open streams on this server (at most " + admissions.maxStreams() + "); try again shortly"
                    : "too many open streams from your address (at most " + admissions.maxPerAddress() + ")");
            return;
        }
        boolean handedOff = false;
        try {
            handedOff = admitted(transport, request, handler, () -> admissions.release(peer));
        } finally {
            if (!handedOff) {
                admissions.release(peer);
            }
        }
    }

    /** True when the stream was handed to the write loops: {@code release} runs when it ends. */
    private boolean admitted(SseTransport transport, RequestContext request, SseHandler handler, Runnable release) {
        Object admission = lateCloses.admitting();
        try {
            return admitted(transport, request, handler, admission, release);
        } finally {
            lateCloses.abandoned(admission); // no-op once registered
        }
    }

    private boolean admitted(SseTransport transport, RequestContext request, SseHandler handler, Object admission, Runnable release) {
        EventStream stream;
        try {
            stream = Objects.requireNonNull(handler.open(request), "the SSE handler returned null");
        } catch (Exception | Error e) {
            Refusal reason = HttpPolicy.refusalFor(e);
            if (reason == Refusal.HUB_UNAVAILABLE) {
                // a passing outage, not a bug: the same answer as a publish gets, and no stack trace in the log
                LOG.log(Level.WARNING, "SSE handler for " + request.path() + ": " + e.getMessage());
            } else if (reason == Refusal.HANDLER_ERROR) {
                LOG.log(Level.ERROR, "SSE handler for " + request.path() + " failed", e);
            }
            refuse(transport, request, reason, HttpPolicy.errorFor(e));
            return false;
        }
        StreamLifecycle lifecycle = new StreamLifecycle(ids.incrementAndGet(), transport, request, stream, settings);
        open.add(lifecycle);
        boolean handedOff = false;
        try {
            if (lateCloses.registered(admission, request)) {
                // closeStreams ran while the handler did, before this stream was there to be seen
                lifecycle.cancel(EndReason.CLOSED_BY_APPLICATION);
            }
            if (stopping) {
                lifecycle.cancel(EndReason.SHUTDOWN);
            }
            handedOff = lifecycle.run(() -> {
                try {
                    open.remove(lifecycle);
                } finally {
                    release.run();
                }
            });
            return handedOff;
        } finally {
            if (!handedOff) {
                open.remove(lifecycle);
            }
        }
    }

    /**
     * The hub: topics, broadcast and replay for this engine's streams. Values published to it are
     * formatted with this engine's renderer and JSON codec. In memory, unless the engine was built
     * with a {@link Builder#hubLog hub log} (several nodes on Redis).
     */
    public Hub hub() {
        return hub;
    }

    /**
     * Ends every open stream whose request matches, for example all streams of a user who logged out
     * or lost access: {@code closeStreams(r -> r.principal() != null && r.principal().getName().equals("ada"))}.
     * The streams end without the close event. A stream whose handler is still running when this is
     * called is ended too, as soon as it opens. A predicate or cancel that throws for one stream does
     * not keep the others open (it is logged). Returns how many were closed.
     */
    public int closeStreams(Predicate<RequestContext> which) {
        Objects.requireNonNull(which, "which");
        LateCloses.Call call = lateCloses.closing(which);
        int closed = 0;
        try {
            for (StreamLifecycle s : open) {
                try {
                    if (which.test(s.context())) {
                        s.cancel(EndReason.CLOSED_BY_APPLICATION);
                        closed++;
                    }
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) {
                    LOG.log(Level.WARNING, "closeStreams: ending the stream of " + s.context().path() + " failed", e);
                }
            }
        } finally {
            lateCloses.closed(call); // streams opening from now on were seen or see this call
        }
        return closed;
    }

    /** Ends every open stream of the principal with this name; see {@link #closeStreams(Predicate)}. */
    public int closeStreamsOf(String principalName) {
        return closeStreams(r -> r.principal() != null && r.principal().getName().equals(principalName));
    }

    /** Number of streams being served now. */
    public int openStreams() {
        return open.size();
    }

    /**
     * Values waiting to be written, summed over the open streams' outbound queues; for a gauge.
     * Counts every stream, so it takes each queue's lock once: read it every few seconds, not per event.
     */
    public long queuedEvents() {
        long sum = 0;
        for (StreamLifecycle s : open) {
            sum += s.queuedEvents();
        }
        return sum;
    }

    /**
     * Bytes waiting to be written, summed over the open streams' outbound queues; for a gauge. Only
     * hub subscriptions are counted: their events are encoded before they are queued, other streams'
     * values are formatted when they are written.
     */
    public long queuedBytes() {
        long sum = 0;
        for (StreamLifecycle s : open) {
            sum += s.queuedBytes();
        }
        return sum;
    }

    /** What this engine reports its counts to; {@link EngineMetrics#NOOP} when nothing was installed. */
    public EngineMetrics metrics() {
        return metrics;
    }

    /** Number of producer threads still running, including any abandoned after the shutdown grace. */
    public long liveProducers() {
        return open.stream().filter(StreamLifecycle::producerAlive).count();
    }

    /** True in debug mode: error events carry details. */
    public boolean debug() {
        return debug;
    }

    /** True once {@link #shutdown} was called. */
    public boolean isStopping() {
        return stopping;
    }

    /**
     * Ends every open stream and refuses new ones: producers are interrupted, their cleanup runs, and
     * each response completes without the close event (a browser should reconnect, perhaps to
     * another node). Waits up to {@code grace} for that; streams still open then are aborted.
     *
     * A hub log is closed once the streams have ended, and the engine's clock thread ends: a shut down
     * engine holds no thread and cannot serve again.
     *
     * @return true when every stream ended within the grace
     */
    public boolean shutdown(Duration grace) {
        stopping = true;
        open.forEach(s -> s.cancel(EndReason.SHUTDOWN));
        long deadline = System.nanoTime() + grace.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        boolean clean = open.isEmpty();
        if (!clean) {
            LOG.log(Level.WARNING, open.size() + " stream(s) still open " + grace.toMillis() + " ms after shutdown began; aborting them");
            open.forEach(s -> s.abort(new IOException("server shutdown grace expired")));
        }
        try {
            hub.close();
        } finally {
            try {
                loops.close();
            } finally {
                clock.close();
            }
        }
        return clean;
    }

    /** {@link #shutdown} with the configured grace: ends every stream, closes the hub's log and ends the engine's thread. */
    @Override
    public void close() {
        shutdown(settings.grace());
    }

    /** The configured shutdown grace. */
    public Duration shutdownGrace() {
        return settings.grace();
    }

    private void refuse(SseTransport transport, RequestContext request, Refusal reason, String message) {
        refuse(transport, request, reason, HttpPolicy.refused(reason, message));
    }

    /** Answers with {@code answer} instead of a stream, and counts it. */
    private void refuse(SseTransport transport, RequestContext request, Refusal reason, ErrorStatus answer) {
        StreamObserver.refused(metrics, request, reason);
        respond(transport, answer);
    }

    private static void respond(SseTransport transport, ErrorStatus answer) {
        try {
            var headers = new java.util.LinkedHashMap<String, String>();
            headers.put("Content-Type", HttpPolicy.TEXT_PLAIN);
            headers.putAll(answer.headers());
            transport.start(answer.status(), headers);
            transport.write(ByteBuffer.wrap(answer.body().getBytes(StandardCharsets.UTF_8)));
            transport.complete();
        } catch (IOException | RuntimeException e) {
            transport.abort(e);
        }
    }

    /** Engine settings. Every one has a default. */
    public static final class Builder {
        private boolean debug;
        private String closeEvent;
        private Duration retry;
        private FragmentRenderer renderer;
        private JsonCodec json;
        private TraceSink trace;
        private Duration shutdownGrace = Duration.ofSeconds(5);
        private HubOptions hubOptions = HubOptions.DEFAULTS;
        private HubLog hubLog;
        private Duration maxStreamAge;
        private int maxStreams = Admissions.defaultMaxStreams();
        private int maxStreamsPerAddress = Integer.MAX_VALUE;
        private EngineMetrics metrics = EngineMetrics.NOOP;

        private Builder() {
        }

        /** Debug mode: render errors show inline and producer errors carry the stack trace. Default off. */
        public Builder debug(boolean on) {
            this.debug = on;
            return this;
        }

        /** Name of the event ({@code data: complete}) sent when a stream ends by itself; {@code null} for none (default). */
        public Builder closeEvent(String name) {
            this.closeEvent = name == null ? null : SseEvent.of(name, "").event();
            return this;
        }

        /** Start every stream with a retry meta event telling the browser how long to wait before reconnecting. */
        public Builder retry(Duration delay) {
            if (delay != null && delay.isNegative()) {
                throw new IllegalArgumentException("retry must be >= 0, got " + delay);
            }
            this.retry = delay;
            return this;
        }

        /** The template engine for {@link Fragment} values. */
        public Builder renderer(FragmentRenderer fragmentRenderer) {
            this.renderer = fragmentRenderer;
            return this;
        }

        /** The JSON codec for maps, collections, arrays and records. */
        public Builder json(JsonCodec codec) {
            this.json = codec;
            return this;
        }

        /** Receives every lifecycle phase of every stream. */
        public Builder trace(TraceSink sink) {
            this.trace = sink;
            return this;
        }

        /** How long a cancelled producer may take to finish before it is abandoned and logged; default 5 s. */
        public Builder shutdownGrace(Duration grace) {
            if (grace == null || grace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must be >= 0, got " + grace);
            }
            this.shutdownGrace = grace;
            return this;
        }

        /**
         * End every stream after about this long (between 90% and 100% of it, so streams opened
         * together do not all reconnect together). The stream ends cleanly, without the close event;
         * a browser reconnects by itself and resumes by {@code Last-Event-ID}, possibly on another
         * node behind a load balancer. Default: never.
         */
        public Builder maxStreamAge(Duration age) {
            if (age != null && (age.isNegative() || age.isZero())) {
                throw new IllegalArgumentException("maxStreamAge must be positive, got " + age);
            }
            this.maxStreamAge = age;
            return this;
        }

        /**
         * Most streams open at once; beyond it a request gets {@code 503} with {@code Retry-After}
         * instead of the process running out of file descriptors. Default: the process's file
         * descriptor limit less 10% (and less 100) for everything else, when the JDK can read it;
         * else no limit.
         */
        public Builder maxStreams(int streams) {
            if (streams < 1) {
                throw new IllegalArgumentException("maxStreams must be >= 1, got " + streams);
            }
            this.maxStreams = streams;
            return this;
        }

        /** Most streams open at once from one client address ({@code 503} beyond it); default no limit. */
        public Builder maxStreamsPerAddress(int streams) {
            if (streams < 1) {
                throw new IllegalArgumentException("maxStreamsPerAddress must be >= 1, got " + streams);
            }
            this.maxStreamsPerAddress = streams;
            return this;
        }

        /** Replay, queue and access settings of the hub; see {@link HubOptions#DEFAULTS}. */
        public Builder hub(HubOptions options) {
            this.hubOptions = Objects.requireNonNull(options, "hub options");
            return this;
        }

        /**
         * Runs the hub on a shared log, so several nodes share topics and a client resumes by
         * {@code Last-Event-ID} on any of them: {@code hubLog(RedisHubLog.connect(URI.create("redis://127.0.0.1:6379")))}
         * from {@code runnel-redis}. The engine owns the log from here on and closes it when it
         * shuts down. Default: none, the hub lives in this process's memory.
         */
        public Builder hubLog(HubLog log) {
            this.hubLog = log;
            return this;
        }

        /**
         * Reports streams, events, errors, replays and queue depth to a metrics library, for example
         * {@code new RunnelMetrics(meterRegistry)} from {@code runnel-micrometer}. Default: nothing
         * is counted, and nothing is computed for it.
         */
        public Builder metrics(EngineMetrics engineMetrics) {
            this.metrics = engineMetrics == null ? EngineMetrics.NOOP : engineMetrics;
            return this;
        }

        /** The engine; binds the metrics ({@link EngineMetrics#bind}) to it. */
        public SseEngine build() {
            SseEngine engine = new SseEngine(this);
            metrics.bind(engine);
            return engine;
        }
    }
}
